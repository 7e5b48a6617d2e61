package org.aldi.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aldi.config.Settings;
import org.junit.jupiter.api.Test;

/** The comparison table on hand-made results: mean and sample standard deviation, formatting, the paper's rows. */
class ComparisonTableTest {
  static final Settings.Compare.Row ALDI = new Settings.Compare.Row("aldi", "ALDI", "aldi", List.of());
  static final Settings.Compare.Row NO_RATE =
      new Settings.Compare.Row("aldi-no-rate", "ALDI, alpha = 0", "aldi", List.of("distill.loss.alpha=0"));
  static final Settings.Compare.Row DEEPMUSIC = new Settings.Compare.Row("deepmusic", "DeepMusic", "deepmusic",
      List.of());
  static final Settings.Compare.Row BACKBONE = new Settings.Compare.Row("backbone", "Backbone", "backbone-only",
      List.of());
  static final ComparisonTable.Protocol ALL = new ComparisonTable.Protocol(0);
  static final ComparisonTable.Protocol FIRST = new ComparisonTable.Protocol(2000);

  /** A result whose every metric is `base`, except cold recall = coldRecall and overall recall = overallRecall. */
  static ComparisonTable.Result result(String row, long seed, double base, double coldRecall, double overallRecall) {
    Map<String, Map<String, Map<String, Double>>> metrics = new LinkedHashMap<>();
    for (ComparisonTable.Protocol p : List.of(ALL, FIRST)) {
      Map<String, Map<String, Double>> byTask = new LinkedHashMap<>();
      for (String task : List.of("overall", "cold", "warm")) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("precision@20", base);
        m.put("recall@20", task.equals("cold") ? coldRecall : task.equals("overall") ? overallRecall : base);
        m.put("ndcg@20", base);
        byTask.put(task, m);
      }
      metrics.put(p.key(), byTask);
    }
    return new ComparisonTable.Result(row, seed, metrics, 60.0 * seed, 5.0, (int) seed, (10 + seed) / 100.0);
  }

  static ComparisonTable table() {
    List<ComparisonTable.Result> results = new ArrayList<>();
    // ALDI cold recall .20, .22, .27: mean .23, sample std sqrt((.03^2 + .01^2 + .04^2) / 2) = .036056
    results.add(result("aldi", 1, .29, .20, .16));
    results.add(result("aldi", 2, .29, .22, .16));
    results.add(result("aldi", 3, .29, .27, .16));
    results.add(result("aldi-no-rate", 2, .1, .1234, .1));
    // DeepMusic cold recall .10, .10, .13: mean .11, std .017321; overall .15 each: std 0
    results.add(result("deepmusic", 1, .29, .10, .15));
    results.add(result("deepmusic", 2, .29, .10, .15));
    results.add(result("deepmusic", 3, .29, .13, .15));
    return new ComparisonTable(List.of(ALDI, NO_RATE, DEEPMUSIC, BACKBONE), List.of(1L, 2L, 3L),
        List.of(ALL, FIRST), 20, results);
  }

  @Test
  void meanAndSampleStandardDeviationOverTheSeedsDone() {
    ComparisonTable.Stat cold = table().stat("aldi", ALL, "cold", "recall");
    assertEquals(List.of(.20, .22, .27), cold.values());
    assertEquals(.23, cold.mean(), 1e-12);
    assertEquals(Math.sqrt(.0013), cold.std(), 1e-12);
    ComparisonTable.Stat one = table().stat("aldi-no-rate", FIRST, "cold", "recall");
    assertEquals(.1234, one.mean(), 1e-12);
    assertTrue(Double.isNaN(one.std()), "no standard deviation of one value");
    assertTrue(table().stat("backbone", ALL, "warm", "ndcg").values().isEmpty());
  }

  @Test
  void formatsLikeThePaper() {
    assertEquals(".2838", ComparisonTable.number(.28384));
    assertEquals("-.0012", ComparisonTable.number(-.00123));
    assertEquals("1.0000", ComparisonTable.number(1));
    assertEquals("-", ComparisonTable.number(Double.NaN));
    assertEquals(".2300 ± .0361", ComparisonTable.cell(new ComparisonTable.Stat(List.of(.20, .22, .27))));
    assertEquals(".1234", ComparisonTable.cell(new ComparisonTable.Stat(List.of(.1234))));
    assertEquals("-", ComparisonTable.cell(new ComparisonTable.Stat(List.of())));
  }

  @Test
  void markdownHasOneTablePerProtocolWithThePaperRowsUnderOurs() {
    String md = table().markdownTables();
    assertTrue(md.startsWith("### All test users\n\n| Method | Overall Recall@20 | Overall NDCG@20 | Cold Recall@20 | "
        + "Cold NDCG@20 | Warm Recall@20 | Warm NDCG@20 | seeds |\n|---|---:|---:|---:|---:|---:|---:|---:|\n"), md);
    assertTrue(md.contains("| ALDI | .1600 ± .0000 | .2900 ± .0000 | .2300 ± .0361 | .2900 ± .0000 | "
        + ".2900 ± .0000 | .2900 ± .0000 | 3 |\n"
        + "| *paper, Table 1* | *.1618* | *.1204* | *.2684* | *.1550* | *.2838* | *.1933* | |\n"
        + "| ALDI, alpha = 0 | .1000 | .1000 | .1234 | .1000 | .1000 | .1000 | 1 |\n| DeepMusic |"), md);
    assertTrue(md.contains("| Backbone | - | - | - | - | - | - | 0 |\n| *paper, Table 1* | *.0776* | *.0647* | *.0056* "
        + "| *.0031* | *.2838* | *.1933* | |\n"), md);
    assertTrue(md.contains("### The 2,000 smallest user ids of each test user list (reference code)\n\n"), md);
    String paper = ComparisonTable.markdownPaper();
    assertTrue(paper.contains("| DropoutNet | *.0794* | *.0670* | *.2268* | *.1356* | *.1343* | *.0792* |\n"), paper);
    assertEquals(2 + 9, paper.split("\n").length, "header, separator and the nine MF rows");
  }

  @Test
  void jsonHoldsStatisticsPerSeedValuesAndThePaperRowsOfPlainRows() {
    JsonNode json = table().json();
    JsonNode aldi = json.get("rows").get(0);
    JsonNode cold = aldi.get("metrics").get("first-2000-users").get("cold").get("recall@20");
    assertEquals(.23, cold.get("mean").asDouble(), 1e-12);
    assertEquals(Math.sqrt(.0013), cold.get("std").asDouble(), 1e-12);
    assertEquals("[0.2,0.22,0.27]", cold.get("values").toString());
    assertEquals("[1,2,3]", aldi.get("seeds_done").toString());
    assertEquals("[60.0,120.0,180.0]", aldi.get("runs").get("model_seconds").toString());
    assertEquals("[0.11,0.12,0.13]", aldi.get("runs").get("best_validation").toString());
    assertEquals(".1200 ± .0100", ComparisonTable.cell(table().validation("aldi")));
    assertEquals(.2684, aldi.get("paper").get("cold").get("recall@20").asDouble());
    JsonNode noRate = json.get("rows").get(1);
    assertTrue(noRate.get("paper").isNull(), "an ablation has no paper row");
    assertTrue(noRate.get("metrics").get("all-users").get("cold").get("recall@20").get("std").isNull());
    assertEquals(9, json.get("paper_table1_mf_citeulike").size());
  }

  @Test
  void checksTheTargets() {
    List<String> checks = table().checks();
    // ALDI - DeepMusic cold recall: .23 - .11 = .12 > 2 * max(.0361, .0173) = .0721
    assertTrue(checks.contains("all test users: cold Recall@20, ALDI minus DeepMusic = .1200 (2 sd = .0721): met"),
        String.join("\n", checks));
    // overall: .16 - .15 = .01 > 2 * 0
    assertTrue(checks.contains("all test users: overall Recall@20, ALDI minus DeepMusic = .0100 (2 sd = .0000): met"),
        String.join("\n", checks));
    assertTrue(checks.stream().noneMatch(c -> c.contains("backbone warm")), "no backbone results, no backbone check");
    ComparisonTable withBackbone = new ComparisonTable(List.of(BACKBONE), List.of(1L), List.of(ALL), 20,
        List.of(result("backbone", 1, .29, .01, .08)));
    assertEquals(List.of("all test users: backbone warm Recall@20 .2900 (target >= .2838: met), NDCG@20 .2900 "
        + "(target >= .1933: met)"), withBackbone.checks());
  }
}
