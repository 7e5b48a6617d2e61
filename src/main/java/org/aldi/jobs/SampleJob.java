package org.aldi.jobs;

import org.aldi.sample.SampleStage;

/** Job of the "triples" stage: BPR training triples for every epoch set. */
public final class SampleJob {
  private SampleJob() {}

  public static void main(String[] args) {
    JobLauncher.main(args, new SampleStage());
  }
}
