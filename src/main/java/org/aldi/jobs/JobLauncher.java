package org.aldi.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.aldi.config.ConfigError;
import org.aldi.config.ConfigLoader;
import org.aldi.config.Settings;
import org.aldi.store.Preflight;
import org.aldi.store.RunFolder;
import org.aldi.store.Stage;
import org.aldi.store.StageInputs;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shared entry point of every job: parses {@code --conf FILE} (repeatable) and {@code --set key=value}
 * (repeatable), validates the configuration before Spark starts, then runs the given stages in order.
 */
public final class JobLauncher {
  private static final Logger LOG = LoggerFactory.getLogger(JobLauncher.class);

  private JobLauncher() {}

  /** Parsed command line. */
  public record Arguments(List<String> confFiles, List<String> overrides) {}

  public static Arguments parse(String[] args) {
    List<String> confFiles = new ArrayList<>();
    List<String> overrides = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--conf" -> confFiles.add(value(args, ++i, arg));
        case "--set" -> overrides.add(value(args, ++i, arg));
        default -> throw new ConfigError("unknown argument: " + arg
            + " (usage: [--conf FILE]... [--set key=value]...)");
      }
    }
    return new Arguments(confFiles, overrides);
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new ConfigError(flag + " needs a value");
    }
    return args[i];
  }

  /** Runs a job's main: exits with status 2 on a configuration error, 1 on any other failure. */
  public static void main(String[] args, Stage... stages) {
    run(args, (spark, settings) -> runStages(new RunFolder(spark, settings.run.dir), settings, stages));
  }

  /** Loads the settings, starts Spark and runs the body; a configuration error exits with status 2. */
  public static void run(String[] args, BiConsumer<SparkSession, Settings> body) {
    run(args, settings -> settings, body);
  }

  /**
   * Loads the settings, prepares what the body needs from them (a configuration error there, too, stops the job
   * before Spark starts), starts Spark and runs the body; a configuration error exits with status 2.
   */
  public static <T> void run(String[] args, Function<Settings, T> prepare, BiConsumer<SparkSession, T> body) {
    try {
      Settings settings = load(args);
      T prepared = prepare.apply(settings);
      try (SparkSession spark = session(settings)) {
        body.accept(spark, prepared);
      }
    } catch (ConfigError e) {
      System.err.println("configuration error: " + e.getMessage());
      System.exit(2);
    }
  }

  public static Settings load(String[] args) {
    Arguments parsed = parse(args);
    return ConfigLoader.load(parsed.confFiles(), parsed.overrides());
  }

  /**
   * Runs the stages in order and prints the wall time of each; first checks that their source paths exist and that
   * the overwrite policy allows their outputs ({@link Preflight}). Each stage runs through {@link RunFolder#execute},
   * so that its output records its input fingerprints; under aldi.run.if-exists = resume a stage whose output is
   * complete and made from the same inputs is skipped (the log says why any other one runs).
   */
  public static void runStages(RunFolder run, Settings settings, Stage... stages) {
    Preflight.check(run, settings, List.of(stages));
    StringBuilder times = new StringBuilder(String.format("%nstage wall times (run folder %s)%n", run.root()));
    long total = System.nanoTime();
    for (Stage stage : stages) {
      long start = System.nanoTime();
      if (settings.run.resume) {
        String staleness = StageInputs.staleness(run, stage, settings);
        if (staleness == null) {
          LOG.info("stage {}: output complete and up to date, skipped (aldi.run.if-exists = resume)", stage.name());
          times.append(String.format("  %-10s  skipped (up to date)%n", stage.name()));
          continue;
        }
        LOG.info("stage {}: runs, because {}", stage.name(), staleness);
      }
      LOG.info("stage {}: start (run folder {})", stage.name(), run.root());
      run.execute(stage, settings);
      double seconds = (System.nanoTime() - start) / 1e9;
      LOG.info("stage {}: done in {} s", stage.name(), String.format("%.1f", seconds));
      times.append(String.format("  %-10s %8.1f s%n", stage.name(), seconds));
    }
    if (stages.length > 1) {
      times.append(String.format("  %-10s %8.1f s%n", "total", (System.nanoTime() - total) / 1e9));
      System.out.print(times);
    }
  }

  /** A SparkSession for the settings; the master set by spark-submit wins over aldi.spark.master. */
  public static SparkSession session(Settings settings) {
    SparkConf conf = new SparkConf().setAppName(settings.spark.appName);
    if (!conf.contains("spark.master")) {
      if (settings.spark.master.isEmpty()) {
        throw new ConfigError("no Spark master: spark-submit sets one, or set aldi.spark.master (e.g. local[2])");
      }
      conf.setMaster(settings.spark.master);
    }
    conf.setIfMissing("spark.sql.shuffle.partitions", Integer.toString(settings.spark.shufflePartitions));
    return SparkSession.builder().config(conf).getOrCreate();
  }
}
