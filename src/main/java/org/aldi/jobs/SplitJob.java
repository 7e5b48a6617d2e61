package org.aldi.jobs;

import org.aldi.split.SplitStage;

/** Job of the "split" stage: train / warm val, test / cold val, test parts and item roles. */
public final class SplitJob {
  private SplitJob() {}

  public static void main(String[] args) {
    JobLauncher.main(args, new SplitStage());
  }
}
