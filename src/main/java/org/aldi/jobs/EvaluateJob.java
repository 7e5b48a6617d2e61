package org.aldi.jobs;

import org.aldi.evaluate.EvaluateStage;

/** Job of the "eval" stage: overall, warm and cold test metrics of the run's backbone and distilled model. */
public final class EvaluateJob {
  private EvaluateJob() {}

  public static void main(String[] args) {
    JobLauncher.main(args, new EvaluateStage());
  }
}
