package org.aldi.testing;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.aldi.config.ConfigLoader;
import org.aldi.config.Settings;
import org.aldi.jobs.JobLauncher;
import org.aldi.jobs.PipelineJob;
import org.aldi.store.RunFolder;
import org.aldi.store.Stage;

/**
 * A small real run, made once per test JVM and shared by the tests that need one: the first 600 users of
 * CiteULike-a's users.dat with all article tags (articles none of them saved become brand-new cold items), small
 * dimensions, the whole pipeline (ingest to report). It lives in the known folder {@link #DIR}/run, so that the
 * notebook test (and anyone afterwards) can read it; each test JVM starts it afresh.
 */
public final class CiteULikeSlice {
  public static final int USERS = 600;
  public static final Path DIR = Path.of("target", "slice-run").toAbsolutePath();
  /** The configuration file of the slice run (then {@link #sizes()} and the paths). */
  public static final String CONF = "conf/citeulike-a.conf";
  private static RunFolder run;

  private CiteULikeSlice() {}

  public static Path runDir() {
    return DIR.resolve("run");
  }

  /** The trained run folder (runs the pipeline on first use). */
  public static synchronized RunFolder run() {
    if (run == null) {
      try {
        if (Files.exists(DIR)) {
          try (Stream<Path> files = Files.walk(DIR)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
              Files.delete(p);
            }
          }
        }
        Files.createDirectories(DIR);
        Files.write(usersFile(), firstUsers());
        RunFolder folder = new RunFolder(TestSpark.get(), runDir().toString());
        JobLauncher.runStages(folder, load(List.of()), PipelineJob.stages().toArray(new Stage[0]));
        run = folder;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return run;
  }

  /** The slice's settings with extra overrides (e.g. serve keys); runs the pipeline first if needed. */
  public static Settings settings(String... overrides) {
    run();
    return load(List.of(overrides));
  }

  /** The slice's users.dat (the first {@value #USERS} lines of CiteULike-a's), written by {@link #run()}. */
  public static Path usersFile() {
    return DIR.resolve("users.dat");
  }

  private static Settings load(List<String> overrides) {
    List<String> all = new ArrayList<>(List.of(
        "run.dir=\"" + runDir() + "\"",
        "data.interactions.path=\"" + usersFile() + "\""));
    all.addAll(sizes());
    all.addAll(overrides);
    return ConfigLoader.load(List.of(CONF), all);
  }

  /**
   * The --set overrides of the slice run besides its run folder and users file: small dimensions and few epochs
   * (with {@link #CONF}, what a cluster submission of the same run passes).
   */
  public static List<String> sizes() {
    return List.of(
        "data.content.dimension=32",
        "backbone.dimension=32", "backbone.als.max-iter=3",
        "sample.epoch-sets=2",
        "distill.hidden=32", "distill.batch-size=256", "distill.max-epochs=3", "distill.patience=1",
        "distill.batch-norm-stat-batches=4",
        "report.sample-triples=4000", "report.sample-pairs=2000",
        "spark.partitions=2");
  }

  /** The first {@link #USERS} lines of the embedded users.dat. */
  public static List<String> firstUsers() throws IOException {
    List<String> lines = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(
        new FileInputStream("src/main/data/citeulike-a/users.dat.gz")), StandardCharsets.US_ASCII))) {
      for (String line = in.readLine(); line != null && lines.size() < USERS; line = in.readLine()) {
        lines.add(line);
      }
    }
    return lines;
  }
}
