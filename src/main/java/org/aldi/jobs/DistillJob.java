package org.aldi.jobs;

import org.aldi.distill.DistillStage;

/** spark-submit entry point of the distillation stage. */
public final class DistillJob {
  private DistillJob() {}

  public static void main(String[] args) {
    JobLauncher.main(args, new DistillStage());
  }
}
