package org.aldi.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.aldi.config.ConfigLoader;
import org.aldi.config.Settings;
import org.aldi.sample.SampleStage;
import org.aldi.split.SplitStage;
import org.aldi.store.RunFolder;
import org.aldi.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ingest, random split and sampling on the full embedded CiteULike-a data with the default configuration. */
class IngestSplitSampleFullDataTest {
  @TempDir Path dir;

  @Test
  void fullCiteULike() {
    Settings s = ConfigLoader.load(List.of(), List.of("run.dir=\"" + dir + "\""));
    RunFolder run = new RunFolder(TestSpark.get(), s.run.dir);

    new IngestStage().run(run, s);
    JsonNode q = run.readJson(RunFolder.INPUT, "quality.json");
    assertEquals(204986, q.get("interactions").asLong());
    assertEquals(0, q.get("duplicates_dropped").asLong());
    assertEquals(5551, q.get("users").asLong());
    assertEquals(16980, q.get("items").asLong());
    assertEquals(3461, q.at("/content/items_with_empty_content").asLong());
    assertEquals(300, q.at("/content/svd_rank").asLong());
    DataSchemaAssert.matches("input.interactions", run.read(RunFolder.INPUT, "interactions"));
    DataSchemaAssert.matches("input.item_content", run.read(RunFolder.INPUT, "item_content"));
    assertEquals(0, run.read(RunFolder.INPUT, "item_content").filter("size(features) != 300").count());

    new SplitStage().run(run, s);
    JsonNode split = run.readJson(RunFolder.SPLIT, "summary.json");
    assertEquals(3396, split.get("cold_items").asLong(), "as the reference: 16980 - floor(0.8 * 16980)");
    assertEquals(13584, split.at("/item_roles/warm").asLong());
    long train = split.at("/parts/train/records").asLong();
    assertTrue(train > 128000 && train < 136000, "train " + train + " close to the reference's 132,073");

    new SampleStage().run(run, s);
    JsonNode triples = run.readJson(RunFolder.TRIPLES, "summary.json");
    assertEquals(10 * train, triples.get("triples").asLong());
  }
}
