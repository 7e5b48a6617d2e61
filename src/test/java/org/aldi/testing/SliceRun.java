package org.aldi.testing;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.aldi.backbone.BackboneStage;
import org.aldi.config.ConfigLoader;
import org.aldi.config.Settings;
import org.aldi.distill.DistillStage;
import org.aldi.evaluate.EvaluateStage;
import org.aldi.ingest.IngestStage;
import org.aldi.jobs.JobLauncher;
import org.aldi.report.ReportStage;
import org.aldi.sample.SampleStage;
import org.aldi.split.SplitStage;
import org.aldi.store.RunFolder;

/**
 * The whole pipeline, report included, on a small real slice of CiteULike-a: the first 600 users of users.dat
 * with all article tags (articles none of them saved become brand-new cold items), small dimensions so that it
 * runs in a minute or two. Run once per test JVM into {@link #DIR}/run, a known folder that the notebook test
 * (and anyone afterwards) can read.
 */
public final class SliceRun {
  public static final int USERS = 600;
  public static final Path DIR = Path.of("target", "slice-run").toAbsolutePath();
  private static Settings settings;

  private SliceRun() {}

  public static Path runDir() {
    return DIR.resolve("run");
  }

  /** The settings of the slice run, running the pipeline first if this JVM has not yet. */
  public static synchronized Settings settings() throws IOException {
    if (settings == null) {
      if (Files.exists(DIR)) {
        try (Stream<Path> files = Files.walk(DIR)) {
          for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
      Files.createDirectories(DIR);
      Path users = DIR.resolve("users.dat");
      List<String> lines = new ArrayList<>();
      try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(
          new FileInputStream("src/main/data/citeulike-a/users.dat.gz")), StandardCharsets.US_ASCII))) {
        for (String line = in.readLine(); line != null && lines.size() < USERS; line = in.readLine()) {
          lines.add(line);
        }
      }
      Files.write(users, lines);
      Settings s = ConfigLoader.load(List.of("conf/citeulike-a.conf"), List.of(
          "run.dir=\"" + runDir() + "\"",
          "data.interactions.path=\"" + users + "\"",
          "data.content.dimension=32",
          "backbone.dimension=32", "backbone.als.max-iter=3",
          "sample.epoch-sets=2",
          "distill.hidden=32", "distill.batch-size=256", "distill.max-epochs=3", "distill.patience=1",
          "distill.batch-norm-stat-batches=4",
          "report.sample-triples=4000", "report.sample-pairs=2000",
          "spark.partitions=2"));
      JobLauncher.runStages(folder(), s, new IngestStage(), new SplitStage(), new SampleStage(),
          new BackboneStage(), new DistillStage(), new EvaluateStage(), new ReportStage());
      settings = s;
    }
    return settings;
  }

  /** The slice run's folder (run the pipeline first through {@link #settings()}). */
  public static RunFolder folder() {
    return new RunFolder(TestSpark.get(), runDir().toString());
  }
}
