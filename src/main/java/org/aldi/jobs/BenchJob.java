package org.aldi.jobs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aldi.bench.Bench;
import org.aldi.config.ConfigError;

/**
 * Runs the whole pipeline under measurement and writes bench.json and bench.md ({@link Bench}).
 * Arguments: {@code --bench-name NAME --bench-out LOCAL_DIR [--bench-commit ID]} followed by the usual
 * {@code --conf} / {@code --set}; the commit id (jobs/bench.sh passes git's) goes into the report.
 */
public final class BenchJob {
  private BenchJob() {}

  public static void main(String[] args) {
    String name = "pipeline";
    String out = "target/bench";
    String commit = "unknown";
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--bench-name" -> name = value(args, ++i);
        case "--bench-out" -> out = value(args, ++i);
        case "--bench-commit" -> commit = value(args, ++i);
        default -> rest.add(args[i]);
      }
    }
    String benchName = name;
    String commitId = commit;
    Path folder = Path.of(out);
    JobLauncher.run(rest.toArray(new String[0]), (spark, settings) ->
        Bench.write(Bench.run(spark, settings, benchName, commitId, PipelineJob.stages()), folder));
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new ConfigError(args[i - 1] + " needs a value");
    }
    return args[i];
  }
}
