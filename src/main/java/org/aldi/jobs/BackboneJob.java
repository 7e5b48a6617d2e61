package org.aldi.jobs;

import org.aldi.backbone.BackboneStage;

/** spark-submit entry point of the backbone stage. */
public final class BackboneJob {
  private BackboneJob() {}

  public static void main(String[] args) {
    JobLauncher.main(args, new BackboneStage());
  }
}
