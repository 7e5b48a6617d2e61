package org.aldi.jobs;

import org.aldi.ingest.IngestStage;

/** Job of the "input" stage: reads the source interactions and item content into the run folder. */
public final class IngestJob {
  private IngestJob() {}

  public static void main(String[] args) {
    JobLauncher.main(args, new IngestStage());
  }
}
