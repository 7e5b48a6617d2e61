package org.aldi.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.aldi.store.RunFolder;
import org.aldi.testing.CiteULikeSlice;
import org.junit.jupiter.api.Test;

/**
 * The whole pipeline on a small real slice of CiteULike-a ({@link CiteULikeSlice}: the first 600 users with all
 * article tags, small dimensions, so that it runs in a minute or two).
 */
class PipelineSliceTest {
  @Test
  void runsEndToEndAndBeatsChanceOnColdItems() {
    RunFolder folder = CiteULikeSlice.run();

    for (String stage : new String[] {RunFolder.INPUT, RunFolder.SPLIT, RunFolder.TRIPLES, RunFolder.BACKBONE,
        RunFolder.MODEL, RunFolder.EVAL, RunFolder.REPORT}) {
      assertTrue(folder.isComplete(stage), stage + " is complete");
    }
    JsonNode metrics = folder.readJson(RunFolder.EVAL, "metrics.json");
    for (String task : new String[] {"overall", "warm", "cold"}) {
      for (String metric : new String[] {"precision@20", "recall@20", "ndcg@20"}) {
        double value = metrics.get(task).get(metric).asDouble();
        assertTrue(value > 0 && value <= 1, task + " " + metric + " = " + value);
      }
      assertEquals(5, metrics.get(task).size(), "one key per metric and K, users, candidates");
      assertTrue(metrics.get(task).get("users").asLong() > 0, task + " users");
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
