package org.aldi.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.aldi.store.StageOutput;
import org.aldi.testing.CiteULikeSlice;
import org.aldi.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The comparison end to end on a small real slice (the first 600 users of CiteULike-a, their tags as content, a
 * random split): two seeds, a BPR-MF backbone per seed shared by the backbone-only, DeepMusic, ALDI and DropoutNet
 * (with an override) rows, two protocols; then the same command again, which must reuse everything.
 */
class ComparisonSliceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void comparesTheMethodsOverSeedsAndProtocolsAndResumes(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("users.dat"), CiteULikeSlice.firstUsers());
    Path out = dir.resolve("out");
    List<String> overrides = List.of(
        "run.dir=\"" + dir.resolve("runs") + "\"",
        "data.interactions.path=\"" + dir.resolve("users.dat") + "\"",
        "data.content.dimension=16", "backbone.method=bpr-mf", "backbone.dimension=16",
        "backbone.bpr.max-epochs=4", "backbone.bpr.learning-rate=0.05", "sample.epoch-sets=2",
        "distill.hidden=16", "distill.batch-size=256", "distill.max-epochs=1", "distill.patience=1",
        "distill.batch-norm-stat-batches=2", "distill.trainer=local", "distill.learning-rate=0.01",
        "report.sample-triples=512", "report.sample-pairs=200", "report.bins=10", "spark.partitions=2",
        "compare.seeds=[1, 2]", "compare.max-users=[0, 50]", "compare.out=\"" + out + "\"",
        "compare.reports=[aldi]",
        "compare.rows=[{id=backbone, method=backbone-only}, {id=deepmusic, name=DeepMusic, method=deepmusic}, "
            + "{id=aldi, name=ALDI, method=aldi}, "
            + "{id=dropoutnet-03, method=dropoutnet, set=[\"distill.dropoutnet.dropout=0.3\"]}]");
    Comparison.plan("test", List.of("conf/citeulike-a.conf"), overrides).run(TestSpark.get());

    JsonNode table = JSON.readTree(out.resolve("comparison.json").toFile());
    Map<String, JsonNode> rows = new TreeMap<>();
    table.get("rows").forEach(r -> rows.put(r.get("id").asText(), r));
    assertEquals(4, rows.size(), table.toString());
    for (JsonNode row : rows.values()) {
      assertEquals("[1,2]", row.get("seeds_done").toString(), table.toString());
      for (String protocol : List.of("all-users", "first-50-users")) {
        for (String task : List.of("overall", "cold", "warm")) {
          for (String metric : List.of("recall@20", "ndcg@20")) {
            JsonNode m = row.get("metrics").get(protocol).get(task).get(metric);
            double a = m.get("values").get(0).asDouble();
            double b = m.get("values").get(1).asDouble();
            assertEquals((a + b) / 2, m.get("mean").asDouble(), 1e-12);
            assertEquals(Math.abs(a - b) / Math.sqrt(2), m.get("std").asDouble(), 1e-12, "sample std of two values");
          }
        }
      }
    }
    // one backbone per seed: the warm task is the teacher's for every row but DropoutNet, which scores warm items
    // through its towers (Eq. 5)
    JsonNode allUsers = warm(rows.get("backbone"), "all-users");
    // (sparse: 600 users over all 16,980 articles; a random ranking of the warm items has Recall@20 below .002)
    assertTrue(allUsers.get(0).asDouble() > 0.005, "the backbone learned something: " + table);
    assertNotEquals(allUsers.get(0).asDouble(), allUsers.get(1).asDouble(), "each seed its own backbone");
    for (String protocol : List.of("all-users", "first-50-users")) {
      JsonNode warm = warm(rows.get("backbone"), protocol);
      for (String id : List.of("deepmusic", "aldi")) {
        assertEquals(warm, warm(rows.get(id), protocol), id + " " + protocol);
      }
    }
    assertNotEquals(allUsers, warm(rows.get("dropoutnet-03"), "all-users"),
        "DropoutNet ranks warm items by its towers");
    assertTrue(mean(rows.get("backbone"), "cold") < mean(rows.get("deepmusic"), "cold"),
        "random cold vectors rank cold items worse than DeepMusic's: " + table);
    // the paper's row beside the rows without overrides
    assertEquals(.2684, rows.get("aldi").get("paper").get("cold").get("recall@20").asDouble());
    assertEquals(.0056, rows.get("backbone").get("paper").get("cold").get("recall@20").asDouble());
    assertTrue(rows.get("dropoutnet-03").get("paper").isNull(), "a row with overrides is not the paper's");
    // the second protocol evaluates at most 50 users per task
    Path aldiRun = dir.resolve("runs/seed-1/rows/aldi");
    JsonNode result = JSON.readTree(aldiRun.resolve("compare/result.json").toFile());
    for (String task : List.of("overall", "cold", "warm")) {
      assertEquals(50, result.get("protocols").get("first-50-users").get("users").get(task).asInt(), task);
      assertTrue(result.get("protocols").get("all-users").get("users").get(task).asInt() > 50, task);
    }
    // the ALDI run keeps its report, and its Figure 3 is copied next to the table, which links them
    assertTrue(Files.exists(aldiRun.resolve("report/index.html")));
    assertTrue(Files.exists(dir.resolve("runs/seed-2/rows/aldi/report/identification.svg")));
    assertTrue(Files.exists(out.resolve("figure3/aldi-rating.svg")));
    assertTrue(Files.notExists(dir.resolve("runs/seed-1/rows/deepmusic/report")), "reports only for listed rows");
    String md = Files.readString(out.resolve("comparison.md"));
    assertTrue(md.contains("](figure3/aldi-ranking.svg)"), md);
    assertTrue(md.contains("../runs/seed-1/rows/aldi/report/index.html"), md);
    assertTrue(md.contains("| *paper, Table 1* | *.1618* | *.1204* | *.2684* | *.1550* | *.2838* | *.1933*"), md);

    // the same command again reuses every stage of every run: nothing is rewritten
    Map<Path, String> before = metaFiles(dir.resolve("runs"));
    Comparison.plan("test", List.of("conf/citeulike-a.conf"), overrides).run(TestSpark.get());
    assertEquals(before, metaFiles(dir.resolve("runs")));
    assertEquals(table, JSON.readTree(out.resolve("comparison.json").toFile()));
  }

  private static JsonNode warm(JsonNode row, String protocol) {
    return row.get("metrics").get(protocol).get("warm").get("recall@20").get("values");
  }

  private static double mean(JsonNode row, String task) {
    return row.get("metrics").get("all-users").get(task).get("recall@20").get("mean").asDouble();
  }

  /** Every stage's metadata file under the folder, with its content (which holds the completion time). */
  private static Map<Path, String> metaFiles(Path root) throws IOException {
    Map<Path, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : new ArrayList<>(walk.filter(f -> f.getFileName().toString().equals(StageOutput.META_FILE))
          .toList())) {
        files.put(root.relativize(p), Files.readString(p));
      }
    }
    return files;
  }
}
