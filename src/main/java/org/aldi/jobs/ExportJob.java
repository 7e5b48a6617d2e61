package org.aldi.jobs;

import org.aldi.serve.ExportStage;

/** Job of the "export" stage: user and item vectors whose inner product is Eq. 9, for one vector index. */
public final class ExportJob {
  private ExportJob() {}

  public static void main(String[] args) {
    JobLauncher.main(args, new ExportStage());
  }
}
