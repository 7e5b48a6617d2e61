package org.aldi.jobs;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.aldi.compare.Comparison;

/**
 * Runs the comparison of aldi.compare (every row for every seed, shared backbones, both evaluation protocols) and
 * writes its table ({@link Comparison}); resumable. Arguments: the usual {@code --conf} / {@code --set}.
 */
public final class CompareJob {
  private CompareJob() {}

  public static void main(String[] args) {
    String command = "jobs/compare.sh "
        + Arrays.stream(args).map(CompareJob::shellWord).collect(Collectors.joining(" "));
    JobLauncher.run(args, settings -> {
      JobLauncher.Arguments parsed = JobLauncher.parse(args);
      return Comparison.plan(command, parsed.confFiles(), parsed.overrides());
    }, (spark, comparison) -> comparison.run(spark));
  }

  /** An argument as a shell reads it back: single-quoted unless it is made of plain characters. */
  static String shellWord(String arg) {
    return arg.matches("[A-Za-z0-9._/=:,@+-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
  }
}
