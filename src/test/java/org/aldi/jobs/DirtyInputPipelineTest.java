package org.aldi.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.aldi.config.ConfigLoader;
import org.aldi.config.Settings;
import org.aldi.evaluate.EvaluateStage;
import org.aldi.ingest.IngestStage;
import org.aldi.serve.ExportStage;
import org.aldi.serve.RecommendStage;
import org.aldi.store.RunFolder;
import org.aldi.store.Stage;
import org.aldi.testing.TestSpark;
import org.aldi.testing.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 6 end to end: the whole pipeline, then recommend and export, on a tiny hand-made data set with text ids
 * and dirty rows (duplicates, a blank line, an item without a content row, brand-new items with content only, a
 * content row with a NaN, an all-zero content row), run twice with the same configuration into two folders.
 * The runs must give identical metrics, and every bad row ends in a counted repair that leaves finite scores.
 */
class DirtyInputPipelineTest {
  static final Path DIR = Path.of("target", "dirty-input-run").toAbsolutePath();
  static final int USERS = 48;
  static final int ITEMS = 40;
  static final int DIM = 8;
  static final int K = 60;
  static final String NO_CONTENT = "doc-39";
  static final String NAN_CONTENT = "doc-38";
  static final String ZERO_CONTENT = "doc-37";
  static final List<String> NEW_ITEMS = List.of("new-0", "new-1");
  static RunFolder first;
  static RunFolder second;

  @BeforeAll
  static void runTwice() throws IOException {
    if (Files.exists(DIR)) {
      try (var files = Files.walk(DIR)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(DIR);
    writeData();
    List<Stage> stages = new ArrayList<>(PipelineJob.stages());
    stages.add(new RecommendStage());
    stages.add(new ExportStage());
    first = run("first", stages);
    second = run("second", stages);
  }

  private static RunFolder run(String name, List<Stage> stages) {
    Settings settings = settings(DIR.resolve(name));
    RunFolder run = new RunFolder(TestSpark.get(), settings.run.dir);
    JobLauncher.runStages(run, settings, stages.toArray(new Stage[0]));
    return run;
  }

  static Settings settings(Path runDir) {
    return ConfigLoader.load(List.of(), List.of("run.dir=\"" + runDir + "\"",
        "data.interactions.path=\"" + DIR.resolve("interactions.csv") + "\"", "data.interactions.format=csv",
        "data.content.path=\"" + DIR.resolve("content.parquet") + "\"", "data.content.format=parquet",
        "data.content.dimension=" + DIM, "data.ids=string",
        "backbone.dimension=8", "backbone.als.max-iter=3", "sample.epoch-sets=2",
        "distill.hidden=8", "distill.batch-size=64", "distill.max-epochs=2", "distill.patience=1",
        "distill.batch-norm-stat-batches=2", "evaluate.k=[5," + K + "]", "evaluate.user-block-size=16",
        "serve.k=" + K, "report.sample-triples=256", "report.sample-pairs=64", "report.notebook-users=2",
        "spark.partitions=2"));
  }

  /**
   * Users u00..u47 each like one of four item groups (item i is in group i mod 4, and its content is the group's
   * direction plus noise); items doc-00..doc-39 and the content-only new-0, new-1.
   */
  private static void writeData() throws IOException {
    Random random = new Random(6);
    StringBuilder csv = new StringBuilder("user,item,weight\n");
    for (int u = 0; u < USERS; u++) {
      TreeSet<Integer> items = new TreeSet<>();
      while (items.size() < 6) {
        int item = random.nextInt(ITEMS);
        if (item % 4 == u % 4 || random.nextInt(5) == 0) {
          items.add(item);
        }
      }
      for (int item : items) {
        csv.append(String.format("u%02d,%s,%s%n", u, item(item), random.nextBoolean() ? "1" : ""));
      }
      if (u % 10 == 0) {
        csv.append(String.format("u%02d,%s,2%n", u, item(items.first()))); // a duplicate pair
      }
      if (u == 20) {
        csv.append('\n'); // a blank line
      }
    }
    Files.writeString(DIR.resolve("interactions.csv"), csv.toString());

    List<Row> rows = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      ids.add(item(i));
    }
    ids.remove(NO_CONTENT);
    ids.addAll(NEW_ITEMS);
    for (String id : ids) {
      int group = id.startsWith("new") ? Integer.parseInt(id.substring(4)) : Integer.parseInt(id.substring(4)) % 4;
      Float[] v = new Float[DIM];
      for (int k = 0; k < DIM; k++) {
        v[k] = id.equals(ZERO_CONTENT) ? 0f : (k == group ? 1f : 0f) + (float) (0.1 * random.nextGaussian());
      }
      if (id.equals(NAN_CONTENT)) {
        v[3] = Float.NaN;
      }
      rows.add(RowFactory.create(id, v));
    }
    TestSpark.get().createDataFrame(rows, new StructType().add("item", DataTypes.StringType)
        .add("features", DataTypes.createArrayType(DataTypes.FloatType))).write()
        .parquet(DIR.resolve("content.parquet").toString());
  }

  private static String item(int i) {
    return String.format("doc-%02d", i);
  }

  /** Original id to index, from input/{user,item}_ids. */
  private static Map<String, Integer> index(RunFolder run, String what) {
    Map<String, Integer> index = new HashMap<>();
    for (Row r : run.read(RunFolder.INPUT, what + "_ids").collectAsList()) {
      index.put(r.getString(1), r.getInt(0));
    }
    return index;
  }

  @Test
  void theSameConfigurationDataAndSeedGiveIdenticalMetrics() throws IOException {
    String a = Files.readString(DIR.resolve("first/eval/metrics.json"));
    String b = Files.readString(DIR.resolve("second/eval/metrics.json"));
    assertEquals(a, b, "metrics.json of two runs");
    JsonNode metrics = first.readJson(RunFolder.EVAL, "metrics.json");
    assertTrue(metrics.get("warm").get("ndcg@5").asDouble() > 0, "not a degenerate run: " + metrics);
    assertEquals(first.read(RunFolder.EVAL, "per_user").orderBy("task", "user").collectAsList(),
        second.read(RunFolder.EVAL, "per_user").orderBy("task", "user").collectAsList(), "per-user metrics");
  }

  @Test
  void case3RecommendationsAndExportCarryTheOriginalIds() {
    Map<String, Integer> users = index(first, "user");
    Map<String, Integer> items = index(first, "item");
    assertEquals(USERS, users.size());
    assertEquals(ITEMS + NEW_ITEMS.size(), items.size(), "interaction and content-only items");
    List<Row> recs = first.read(RecommendStage.NAME, "recommendations").select("user", "user_id", "item", "item_id")
        .collectAsList();
    assertFalse(recs.isEmpty());
    for (Row r : recs) {
      assertEquals(users.get(r.getString(1)), r.getInt(0), "user index of " + r.getString(1));
      assertEquals(items.get(r.getString(3)), r.getInt(2), "item index of " + r.getString(3));
    }
    for (Row r : first.read(ExportStage.NAME, "item_vectors").select("item", "item_id").collectAsList()) {
      assertEquals(items.get(r.getString(1)), r.getInt(0), "exported item " + r.getString(1));
    }
    for (Row r : first.read(ExportStage.NAME, "user_vectors").select("user", "user_id").collectAsList()) {
      assertEquals(users.get(r.getString(1)), r.getInt(0), "exported user " + r.getString(1));
    }
  }

  @Test
  void case4And5BrandNewZeroAndRepairedContentItemsAreScoredWithFiniteScores() {
    JsonNode quality = first.readJson(RunFolder.INPUT, "quality.json");
    assertEquals(1, quality.get("items_in_interactions_without_content_row").asLong(), NO_CONTENT);
    assertEquals(NEW_ITEMS.size(), quality.get("content_only_items").asLong());
    assertEquals(1, quality.get("content_rows_non_finite_zeroed").asLong(), NAN_CONTENT);
    JsonNode interactionRows = quality.at("/row_accounting/interactions");
    assertEquals(1, interactionRows.at("/rejections/blank_line").asLong());
    assertEquals(5, interactionRows.at("/repairs/duplicate_pair_merged").asLong(), "users 0, 10, 20, 30, 40");

    Map<String, Integer> items = index(first, "item");
    Map<Integer, String> roles = new HashMap<>();
    for (Row r : first.read(RunFolder.SPLIT, "item_role").collectAsList()) {
      roles.put(r.getInt(0), r.getString(1));
    }
    for (String id : NEW_ITEMS) {
      assertEquals("cold_new", roles.get(items.get(id)), id + " is a brand-new item");
    }
    long coldCandidates = roles.values().stream().filter(r -> r.startsWith("cold")).count();
    assertEquals(coldCandidates, first.readJson(RunFolder.EVAL, "metrics.json").at("/cold/candidates").asLong(),
        "the cold task ranks every cold item, brand-new ones included");

    for (Row r : first.read(RunFolder.MODEL, "student_items").collectAsList()) {
      for (float x : Vectors.floats(r.getList(1))) {
        assertTrue(Float.isFinite(x), "f_I of item " + r.getInt(0));
      }
    }
    // K exceeds the items, so every user's list holds every item they do not know, with a finite score
    Map<Integer, Set<Integer>> listed = new HashMap<>();
    for (Row r : first.read(RecommendStage.NAME, "recommendations").select("user", "item", "score").collectAsList()) {
      assertTrue(Float.isFinite(r.getFloat(2)), "score of " + r);
      listed.computeIfAbsent(r.getInt(0), u -> new TreeSet<>()).add(r.getInt(1));
    }
    for (String id : List.of(NEW_ITEMS.get(0), NEW_ITEMS.get(1), NAN_CONTENT, ZERO_CONTENT, NO_CONTENT)) {
      long users = listed.values().stream().filter(s -> s.contains(items.get(id))).count();
      assertTrue(users > USERS / 2, id + " is recommended (ranked) to " + users + " users");
    }
  }

  @Test
  void case6And7MetricsStateTheirUsersAndShortListsAreCounted() {
    JsonNode metrics = first.readJson(RunFolder.EVAL, "metrics.json");
    for (String task : List.of("overall", "warm", "cold")) {
      long perUser = first.read(RunFolder.EVAL, "per_user").where("task = '" + task + "'").count();
      assertEquals(perUser, metrics.get(task).get("users").asLong(), task + " users averaged");
      double precision = metrics.get(task).get("precision@" + K).asDouble();
      assertTrue(precision > 0 && precision <= metrics.get(task).get("candidates").asDouble() / K,
          task + ": K = " + K + " > candidates, Precision@K divides by K: " + precision);
      assertEquals(1.0, metrics.get(task).get("recall@" + K).asDouble(), 1e-12, task + ": every candidate is ranked");
    }
    JsonNode split = first.readJson(RunFolder.SPLIT, "summary.json");
    JsonNode accounting = split.at("/row_accounting/interactions");
    assertEquals(accounting.get("rows_in").asLong(), accounting.get("rows_used").asLong()
        + accounting.get("rows_repaired").asLong() + accounting.get("rows_rejected").asLong());
    assertEquals(split.get("cold_records_dropped_user_not_in_train").asLong(),
        accounting.at("/rejections/cold_user_not_in_train").asLong(), "test records of users without training");

    JsonNode summary = first.readJson(RecommendStage.NAME, "summary.json");
    assertEquals(K, summary.get("k").asInt());
    assertEquals(ITEMS + NEW_ITEMS.size(), summary.get("candidates").asInt());
    assertEquals(summary.get("users").asLong(), summary.get("users_with_fewer_than_k").asLong(), "K > candidates");
    assertEquals(0, summary.get("users_without_recommendations").asLong());
  }

  @Test
  void case10RunningIngestAgainRemovesEveryLaterOutputOfTheOldRun() throws IOException {
    Path copy = DIR.resolve("third");
    try (var files = Files.walk(DIR.resolve("second"))) {
      for (Path p : files.toList()) {
        Files.copy(p, copy.resolve(DIR.resolve("second").relativize(p).toString()));
      }
    }
    RunFolder run = new RunFolder(TestSpark.get(), copy.toString());
    Settings s = settings(copy);
    JobLauncher.runStages(run, s, new IngestStage());
    List<String> left = Set.of(copy.toFile().list()).stream().filter(n -> !n.startsWith("."))
        .sorted().collect(Collectors.toList());
    assertEquals(List.of(RunFolder.INPUT), left, "split to export were built from the replaced input");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> JobLauncher.runStages(run, s, new EvaluateStage()));
    assertTrue(e.getMessage().contains("the run folder " + copy + " has no complete '"), e.getMessage());
  }
}
