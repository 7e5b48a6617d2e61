package org.aldi.jobs;

import org.aldi.report.ReportStage;

/** Job of the "report" stage: report/index.html with the run's metrics, curves and alignment plots. */
public final class ReportJob {
  private ReportJob() {}

  public static void main(String[] args) {
    JobLauncher.main(args, new ReportStage());
  }
}
