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
import org.aldi.backbone.BackboneStage;
import org.aldi.config.ConfigLoader;
import org.aldi.config.Settings;
import org.aldi.distill.DistillStage;
import org.aldi.evaluate.EvaluateStage;
import org.aldi.ingest.IngestStage;
import org.aldi.jobs.JobLauncher;
import org.aldi.sample.SampleStage;
import org.aldi.split.SplitStage;
import org.aldi.store.RunFolder;

/**
 * A small real run, trained once per test JVM and shared by the tests that need one: the first 600 users of
 * CiteULike-a's users.dat with all article tags (articles none of them saved become brand-new cold items), small
 * dimensions, the whole pipeline (ingest to evaluate). Lives in a temporary folder removed when the JVM exits.
 */
public final class CiteULikeSlice {
  public static final int USERS = 600;
  private static Path dir;
  private static RunFolder run;

  private CiteULikeSlice() {}

  /** The trained run folder (trains it on first use). */
  public static synchronized RunFolder run() {
    if (run == null) {
      try {
        dir = Files.createTempDirectory("aldi-slice-");
        Runtime.getRuntime().addShutdownHook(new Thread(CiteULikeSlice::delete));
        Path users = dir.resolve("users.dat");
        Files.write(users, firstUsers());
        RunFolder folder = new RunFolder(TestSpark.get(), dir.resolve("run").toString());
        JobLauncher.runStages(folder, settings(), new IngestStage(), new SplitStage(), new SampleStage(),
            new BackboneStage(), new DistillStage(), new EvaluateStage());
        run = folder;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return run;
  }

  /** The slice's settings, with extra overrides (e.g. serve keys); valid once {@link #run()} was called. */
  public static Settings settings(String... overrides) {
    List<String> all = new ArrayList<>(List.of(
        "run.dir=\"" + dir.resolve("run") + "\"",
        "data.interactions.path=\"" + dir.resolve("users.dat") + "\"",
        "data.content.dimension=32",
        "backbone.dimension=32", "backbone.als.max-iter=3",
        "sample.epoch-sets=2",
        "distill.hidden=32", "distill.batch-size=256", "distill.max-epochs=3", "distill.patience=1",
        "distill.batch-norm-stat-batches=4",
        "spark.partitions=2"));
    all.addAll(List.of(overrides));
    return ConfigLoader.load(List.of("conf/citeulike-a.conf"), all);
  }

  private static List<String> firstUsers() throws IOException {
    List<String> lines = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(
        new FileInputStream("src/main/data/citeulike-a/users.dat.gz")), StandardCharsets.US_ASCII))) {
      for (String line = in.readLine(); line != null && lines.size() < USERS; line = in.readLine()) {
        lines.add(line);
      }
    }
    return lines;
  }

  private static void delete() {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary folder; the OS cleans it up eventually
    }
  }
}
