package org.aldi.jobs;

import org.aldi.baselines.ModelStage;

/** spark-submit entry point of the model stage: ALDI distillation or a baseline (aldi.distill.method). */
public final class DistillJob {
  private DistillJob() {}

  public static void main(String[] args) {
    JobLauncher.main(args, new ModelStage());
  }
}
