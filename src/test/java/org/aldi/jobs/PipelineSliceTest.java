package org.aldi.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.aldi.backbone.BackboneStage;
import org.aldi.config.ConfigLoader;
import org.aldi.config.Settings;
import org.aldi.distill.DistillStage;
import org.aldi.evaluate.EvaluateStage;
import org.aldi.ingest.IngestStage;
import org.aldi.sample.SampleStage;
import org.aldi.split.SplitStage;
import org.aldi.store.RunFolder;
import org.aldi.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on a small real slice of CiteULike-a: the first 600 users of users.dat with all article
 * tags (articles none of them saved become brand-new cold items), small dimensions so that it runs in a
 * minute or two.
 */
class PipelineSliceTest {
  static final int SLICE_USERS = 600;

  @Test
  void runsEndToEndAndBeatsChanceOnColdItems(@TempDir Path dir) throws Exception {
    Path users = dir.resolve("users.dat");
    List<String> lines = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(new FileInputStream("src/main/data/citeulike-a/users.dat.gz")), StandardCharsets.US_ASCII))) {
      for (String line = in.readLine(); line != null && lines.size() < SLICE_USERS; line = in.readLine()) {
        lines.add(line);
      }
    }
    Files.write(users, lines);
    Path run = dir.resolve("run");
    Settings settings = ConfigLoader.load(List.of("conf/citeulike-a.conf"), List.of(
        "run.dir=\"" + run + "\"",
        "data.interactions.path=\"" + users + "\"",
        "data.content.dimension=32",
        "backbone.dimension=32", "backbone.als.max-iter=3",
        "sample.epoch-sets=2",
        "distill.hidden=32", "distill.batch-size=256", "distill.max-epochs=3", "distill.patience=1",
        "distill.batch-norm-stat-batches=4",
        "spark.partitions=2"));
    RunFolder folder = new RunFolder(TestSpark.get(), run.toString());
    JobLauncher.runStages(folder, settings, new IngestStage(), new SplitStage(), new SampleStage(),
        new BackboneStage(), new DistillStage(), new EvaluateStage());

    for (String stage : new String[] {RunFolder.INPUT, RunFolder.SPLIT, RunFolder.TRIPLES, RunFolder.BACKBONE,
        RunFolder.MODEL, RunFolder.EVAL}) {
      assertTrue(folder.isComplete(stage), stage + " is complete");
    }
    JsonNode metrics = folder.readJson(RunFolder.EVAL, "metrics.json");
    for (String task : new String[] {"overall", "warm", "cold"}) {
      for (String metric : new String[] {"precision@20", "recall@20", "ndcg@20"}) {
        double value = metrics.get(task).get(metric).asDouble();
        assertTrue(value > 0 && value <= 1, task + " " + metric + " = " + value);
      }
      assertEquals(3, metrics.get(task).size(), "one key per metric and K");
    }
    // chance level of cold Recall@20 is about 20 / (number of cold candidates)
    long coldItems = folder.read(RunFolder.SPLIT, "item_role").where("role like 'cold%'").count();
    double chance = 20.0 / coldItems;
    double coldRecall = metrics.get("cold").get("recall@20").asDouble();
    assertTrue(coldRecall > 3 * chance, "cold recall@20 " + coldRecall + " vs chance " + chance);
    JsonNode history = folder.readJson(RunFolder.MODEL, "history.json");
    assertTrue(history.get("epochs").size() >= 2);
  }
}
