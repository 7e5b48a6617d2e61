package org.aldi.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.aldi.config.Settings;
import org.aldi.ranking.TinyRun;
import org.aldi.store.RunFolder;
import org.aldi.testing.TestSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateStageTest {
  @TempDir Path dir;

  @Test
  void writesMetricsUsersAndPerUserOfTheThreeTasks() {
    Settings settings = TinyRun.settings(dir.toString(), "evaluate.k=[1,20]");
    RunFolder run = TinyRun.write(dir.toString(), settings);

    new EvaluateStage().run(run, settings);

    JsonNode metrics = run.readJson(RunFolder.EVAL, "metrics.json");
    assertEquals(List.of("overall", "warm", "cold"), names(metrics));
    for (JsonNode task : metrics) {
      assertEquals(List.of("precision@1", "precision@20", "recall@1", "recall@20", "ndcg@1", "ndcg@20", "users",
          "candidates"), names(task));
      for (String metric : names(task).subList(0, 6)) {
        JsonNode v = task.get(metric);
        assertTrue(v.isDouble() && v.asDouble() >= 0 && v.asDouble() <= 1, v.toString());
      }
    }
    // users averaged and candidates ranked per task: overall 4 warm + 5 cold items, warm 4, cold 5 (with cold_new 24)
    assertEquals(List.of(2, 3, 3), List.of(metrics.get("overall").get("users").asInt(),
        metrics.get("warm").get("users").asInt(), metrics.get("cold").get("users").asInt()));
    assertEquals(List.of(9, 4, 5), List.of(metrics.get("overall").get("candidates").asInt(),
        metrics.get("warm").get("candidates").asInt(), metrics.get("cold").get("candidates").asInt()));
    // see ColdStartEvaluatorTest for these values
    assertEquals(0.5, metrics.get("overall").get("precision@1").asDouble(), 1e-9);
    assertEquals(1.0 / 3, metrics.get("cold").get("precision@1").asDouble(), 1e-9);
    assertEquals(1.0 / 20, metrics.get("warm").get("precision@20").asDouble(), 1e-9);

    JsonNode users = run.readJson(RunFolder.EVAL, "users.json");
    assertEquals(new ObjectMapper().createObjectNode().put("overall", 2).put("warm", 3).put("cold", 3), users);

    Dataset<Row> perUser = run.read(RunFolder.EVAL, "per_user");
    assertEquals(List.of("task", "user", "precision_at_1", "precision_at_20", "recall_at_1", "recall_at_20",
        "ndcg_at_1", "ndcg_at_20"), List.of(perUser.columns()));
    assertEquals(8, perUser.count());
    assertEquals(3, perUser.where("task = 'cold'").count());
    assertEquals(1.0, perUser.where("task = 'warm' AND user = 3").first().getDouble(2));

    String table = MetricsTable.format(metrics, users);
    String[] lines = table.split("\n");
    assertEquals(4, lines.length);
    String header = "task\\s+Precision@1\\s+Recall@1\\s+NDCG@1\\s+Precision@20\\s+Recall@20\\s+NDCG@20\\s+users";
    assertTrue(lines[0].matches(header), lines[0]);
    assertTrue(lines[1].matches("overall\\s+0\\.5000\\s.*\\s2"), lines[1]);
    assertTrue(lines[3].startsWith("cold "), lines[3]);
  }

  /**
   * Issue 6, case 7: K = 50 is larger than every task's candidates (overall 9, warm 4, cold 5), so every candidate
   * is ranked: each ground-truth item is a hit, recall is 1 and Precision@50 = hits / 50.
   */
  @Test
  void kLargerThanTheCandidatesRanksThemAllAndPrecisionStillDividesByK() {
    Settings settings = TinyRun.settings(dir.toString(), "evaluate.k=[50]");
    RunFolder run = TinyRun.write(dir.toString(), settings);

    new EvaluateStage().run(run, settings);

    JsonNode metrics = run.readJson(RunFolder.EVAL, "metrics.json");
    // overall: users 0 and 1 with 2 test items each; warm: users 0, 1, 3 with 1; cold: users 0, 1, 2 with 1
    assertEquals(2.0 / 50, metrics.at("/overall/precision@50").asDouble(), 1e-12);
    assertEquals(1.0 / 50, metrics.at("/warm/precision@50").asDouble(), 1e-12);
    assertEquals(1.0 / 50, metrics.at("/cold/precision@50").asDouble(), 1e-12);
    for (String task : List.of("overall", "warm", "cold")) {
      assertEquals(1.0, metrics.get(task).get("recall@50").asDouble(), 1e-12, task);
      assertTrue(metrics.get(task).get("candidates").asInt() < 50, task);
    }
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    Iterator<String> it = node.fieldNames();
    it.forEachRemaining(names::add);
    return names;
  }
}
