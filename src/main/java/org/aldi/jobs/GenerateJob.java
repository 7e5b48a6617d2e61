package org.aldi.jobs;

import org.aldi.generate.SyntheticData;

/**
 * Writes a seeded synthetic data set (XING-shaped by default) in the project's input formats under
 * aldi.generate.dir; conf/xing-synthetic.conf runs the pipeline on it.
 */
public final class GenerateJob {
  private GenerateJob() {}

  public static void main(String[] args) {
    JobLauncher.run(args, (spark, settings) -> SyntheticData.generate(spark, settings));
  }
}
