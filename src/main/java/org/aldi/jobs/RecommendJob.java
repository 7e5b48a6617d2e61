package org.aldi.jobs;

import org.aldi.serve.RecommendStage;

/** Job of the "recommend" stage: top-K warm and cold items per user by Eq. 9, known interactions excluded. */
public final class RecommendJob {
  private RecommendJob() {}

  public static void main(String[] args) {
    JobLauncher.main(args, new RecommendStage());
  }
}
