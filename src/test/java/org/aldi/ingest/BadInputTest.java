package org.aldi.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.aldi.config.ConfigLoader;
import org.aldi.config.Settings;
import org.aldi.split.SplitInvariantException;
import org.aldi.split.SplitStage;
import org.aldi.store.RunFolder;
import org.aldi.testing.TestSpark;
import org.aldi.testing.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, the ingest side of the bad-input cases, each on a tiny hand-made file: either a clear error that names
 * the file, the row and the reason (and leaves no output), or a repair counted in input/quality.json.
 */
class BadInputTest {
  @TempDir Path dir;

  private int runs;

  private Settings settings(Path interactions, Path content, String... overrides) {
    List<String> all = new ArrayList<>(List.of("run.dir=\"" + dir.resolve("run" + runs++) + "\"",
        "data.interactions.path=\"" + interactions + "\"", "data.interactions.format=csv",
        "data.content.path=\"" + content + "\"", "data.content.format=parquet", "data.content.dimension=2",
        "spark.partitions=2"));
    all.addAll(List.of(overrides));
    return ConfigLoader.load(List.of(), all);
  }

  private static RunFolder ingest(Settings settings) {
    RunFolder run = new RunFolder(TestSpark.get(), settings.run.dir);
    new IngestStage().run(run, settings);
    return run;
  }

  /** Parquet content (item, features) with the given item column type; vectors of any length. */
  private Path content(String name, DataType itemType, Object... itemAndVector) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < itemAndVector.length; i += 2) {
      float[] v = (float[]) itemAndVector[i + 1];
      Float[] boxed = new Float[v.length];
      for (int k = 0; k < v.length; k++) {
        boxed[k] = v[k];
      }
      rows.add(RowFactory.create(itemAndVector[i], boxed));
    }
    Path path = dir.resolve(name);
    TestSpark.get().createDataFrame(rows, new StructType().add("item", itemType)
        .add("features", DataTypes.createArrayType(DataTypes.FloatType))).write().parquet(path.toString());
    return path;
  }

  private Path intContent() {
    return content("content-" + runs, DataTypes.IntegerType, 1, new float[] {1, 0}, 2, new float[] {0, 1},
        3, new float[] {1, 1});
  }

  private Path file(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  /** Ingest fails with a MalformedInputException whose message holds every fragment, and writes no output. */
  private void assertRejected(Settings settings, String... fragments) {
    MalformedInputException e = assertThrows(MalformedInputException.class, () -> ingest(settings));
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "'" + f + "' in: " + e.getMessage());
    }
    assertFalse(new RunFolder(TestSpark.get(), settings.run.dir).isComplete(RunFolder.INPUT), "no output");
  }

  private static Map<Integer, List<Integer>> pairsByUser(RunFolder run) {
    Map<Integer, List<Integer>> byUser = new TreeMap<>();
    for (Row r : run.read(RunFolder.INPUT, "interactions").orderBy("user", "item").collectAsList()) {
      byUser.computeIfAbsent(r.getInt(0), u -> new ArrayList<>()).add(r.getInt(1));
    }
    return byUser;
  }

  @Test
  void case1DuplicatePairsAreMergedCountedAndNeverInTwoParts() throws IOException {
    // (0,1) three times, (2,3) twice; 12 distinct pairs
    Path csv = file("dups.csv", "user,item\n0,1\n0,1\n0,2\n0,1\n1,1\n1,2\n1,3\n2,3\n2,1\n2,3\n3,1\n3,2\n3,3\n"
        + "4,1\n4,2\n");
    Settings s = settings(csv, intContent(), "split.cold-item-fraction=0.34");
    RunFolder run = ingest(s);
    JsonNode q = run.readJson(RunFolder.INPUT, "quality.json");
    assertEquals(15, q.get("interaction_rows_read").asLong());
    assertEquals(3, q.get("duplicates_dropped").asLong());
    assertEquals(12, q.get("interactions").asLong());
    assertEquals(3, q.at("/row_accounting/interactions/repairs/duplicate_pair_merged").asLong());
    assertEquals(12, run.read(RunFolder.INPUT, "interactions").select("user", "item").distinct().count());

    new SplitStage().run(run, s);
    Dataset<Row> all = null;
    for (String part : SplitStage.PARTS) {
      Dataset<Row> p = run.read(RunFolder.SPLIT, part);
      all = all == null ? p : all.union(p);
    }
    assertEquals(all.count(), all.distinct().count(), "no (user, item) pair in two parts or twice in one");
    assertTrue(all.where("user = 0 and item = 1").count() <= 1);
  }

  @Test
  void case2MalformedRowsEmptyFilesAndHeaderOnlyStopIngestNamingFileRowAndReason() throws IOException {
    Path content = intContent();
    Path fewFields = file("few.csv", "user,item,weight\n0,1,1.0\n1,2\n");
    assertRejected(settings(fewFields, content),
        fewFields + " line 3: 2 fields, the header [user, item, weight] has 3");
    Path textId = file("text.csv", "user,item\n0,1\n1,doc-7\n");
    assertRejected(settings(textId, content), textId + " line 3: item 'doc-7' is not an integer >= 0");
    Path badWeight = file("weight.csv", "user,item,weight\n0,1,high\n");
    assertRejected(settings(badWeight, content), badWeight + " line 2: weight 'high' is not a number");
    Path empty = file("empty.csv", "");
    assertRejected(settings(empty, content), empty + ": the file is empty");
    Path headerOnly = file("header.csv", "user,item\n");
    assertRejected(settings(headerOnly, content), headerOnly + ": no interactions: the file has a header but no data");
    Path noUserColumn = file("nouser.csv", "customer,item\n0,1\n");
    assertRejected(settings(noUserColumn, content), noUserColumn + " line 1: the header [customer, item] must name");

    Path emptyUsers = file("users.dat", "");
    Path tags = file("tags.dat", "1 5\n1 5\n");
    assertRejected(settings(emptyUsers, tags, "data.interactions.format=citeulike-users",
        "data.content.format=citeulike-tags"), emptyUsers + ": no interactions");
    Path users = file("users2.dat", "1 0\n1 1\n");
    Path emptyTags = file("empty-tags.dat", "");
    assertRejected(settings(users, emptyTags, "data.interactions.format=citeulike-users",
        "data.content.format=citeulike-tags"), emptyTags + ": no content rows");

    // Parquet: text ids where integers are expected, negative ids, vectors of the wrong length, no content rows
    Path textParquet = dir.resolve("text.parquet");
    TestSpark.get().sql("select 'alice' as user, 1 as item").write().parquet(textParquet.toString());
    assertRejected(settings(textParquet, content, "data.interactions.format=parquet"),
        textParquet + ": column user has type string", "aldi.data.ids = string");
    Path negative = dir.resolve("negative.parquet");
    TestSpark.get().sql("select 0 as user, 1 as item union all select -3, 2").write().parquet(negative.toString());
    assertRejected(settings(negative, content, "data.interactions.format=parquet"),
        negative + ": 1 rows have a null, negative or too large user", "user=-3, item=2");
    Path good = file("good.csv", "user,item\n0,1\n");
    Path shortVector = content("short", DataTypes.IntegerType, 1, new float[] {1, 0}, 9, new float[] {1});
    assertRejected(settings(good, shortVector), shortVector + ": 1 rows have no features or features whose length",
        "item=9, length=1");
    Path noRows = dir.resolve("no-rows.parquet");
    TestSpark.get().sql("select 1 as item, array(1.0f, 0.0f) as features").where("item = 0").write()
        .parquet(noRows.toString());
    assertRejected(settings(good, noRows), noRows + ": no content rows");
  }

  @Test
  void blankCsvLinesAreSkippedAndCountedAsRejectedRows() throws IOException {
    RunFolder run = ingest(settings(file("blank.csv", "user,item\n0,1\n\n1,2\n  \n1,3\n"), intContent()));
    assertEquals(Map.of(0, List.of(1), 1, List.of(2, 3)), pairsByUser(run));
    JsonNode rows = run.readJson(RunFolder.INPUT, "quality.json").at("/row_accounting/interactions");
    assertEquals(List.of(5L, 3L, 0L, 2L), counts(rows));
    assertEquals(2, rows.at("/rejections/blank_line").asLong());
  }

  @Test
  void case3StringIdsAreMappedToIndicesInIdOrderAndTheMappingIsKept() throws IOException {
    Path content = content("text-content", DataTypes.StringType, "doc-b", new float[] {1, 0},
        "doc-a", new float[] {0, 1}, "new-z", new float[] {1, 1});
    Path csv = file("text.csv", "user,item\ncarol,doc-b\n alice , doc-a\nbob,doc-c\nalice,doc-b\n");
    RunFolder run = ingest(settings(csv, content, "data.ids=string"));

    // indices in ascending order of the id text: users alice 0, bob 1, carol 2; items doc-a 0 ... new-z 3
    assertEquals(List.of("0 alice", "1 bob", "2 carol"), lines(run.read(RunFolder.INPUT, "user_ids")));
    assertEquals(List.of("0 doc-a", "1 doc-b", "2 doc-c", "3 new-z"), lines(run.read(RunFolder.INPUT, "item_ids")));
    DataSchemaAssert.matches("input.user_ids", run.read(RunFolder.INPUT, "user_ids"));
    DataSchemaAssert.matches("input.item_ids", run.read(RunFolder.INPUT, "item_ids"));
    assertEquals(Map.of(0, List.of(0, 1), 1, List.of(2), 2, List.of(1)), pairsByUser(run));
    Map<Integer, String> content2 = new TreeMap<>();
    for (Row r : run.read(RunFolder.INPUT, "item_content").collectAsList()) {
      content2.put(r.getInt(0), Arrays.toString(Vectors.floats(r.getList(1))) + " " + r.getBoolean(2));
    }
    assertEquals(Map.of(0, "[0.0, 1.0] true", 1, "[1.0, 0.0] true", 2, "[0.0, 0.0] false", 3, "[1.0, 1.0] true"),
        content2, "doc-c has no content row");

    // the same ids in another order and partitioning, from Parquet: the same mapping
    Path parquet = dir.resolve("text.parquet");
    TestSpark.get().sql("select * from values ('alice', 'doc-b'), ('bob', 'doc-c'), ('carol', 'doc-b'), "
        + "('alice', 'doc-a') as t(user, item)").repartition(3).write().parquet(parquet.toString());
    RunFolder again = ingest(settings(parquet, content, "data.ids=string", "data.interactions.format=parquet"));
    assertEquals(lines(run.read(RunFolder.INPUT, "item_ids")), lines(again.read(RunFolder.INPUT, "item_ids")));
    assertEquals(lines(run.read(RunFolder.INPUT, "user_ids")), lines(again.read(RunFolder.INPUT, "user_ids")));
    assertEquals(pairsByUser(run), pairsByUser(again));

    // a given split in text ids is mapped the same way; bob's only record is in cold_test (no train record)
    Path train = file("given-train.csv", "user,item\nalice,doc-a\ncarol,doc-b\nalice , doc-b\n");
    Path none = file("given-none.csv", "user,item\n");
    Path coldTest = file("given-cold.csv", "user,item\nbob,doc-c\n");
    String[] given = {"split.mode=given", "split.given.train=\"" + train + "\"", "split.given.warm-val=\"" + none
        + "\"", "split.given.warm-test=\"" + none + "\"", "split.given.cold-val=\"" + none + "\"",
        "split.given.cold-test=\"" + coldTest + "\""};
    Settings givenSplit = settings(csv, content, concat(given, "data.ids=string", "run.dir=\"" + run.root() + "\""));
    new SplitStage().run(run, givenSplit);
    assertEquals(List.of("0 0", "0 1", "2 1"), lines(run.read(RunFolder.SPLIT, "train")));
    assertEquals(1, run.readJson(RunFolder.SPLIT, "summary.json").at("/records_dropped_user_not_in_train/cold_test")
        .asLong(), "bob has no train record");
    Path unknown = file("given-unknown.csv", "user,item\ndave,doc-a\n");
    given[5] = "split.given.cold-test=\"" + unknown + "\"";
    Settings unknownIds = settings(csv, content, concat(given, "data.ids=string", "run.dir=\"" + run.root() + "\""));
    SplitInvariantException e = assertThrows(SplitInvariantException.class,
        () -> new SplitStage().run(run, unknownIds));
    assertTrue(e.getMessage().contains(unknown + " has 1 rows whose user or item is not an id of the input (e.g. "
        + "user=dave, item=doc-a)"), e.getMessage());

    Path emptyId = file("empty-id.csv", "user,item\nalice,doc-a\n,doc-b\n");
    assertRejected(settings(emptyId, content, "data.ids=string"), emptyId + " line 3: user is empty");
  }

  @Test
  void case4ItemsWithoutAContentRowGetZeroContentAndContentOnlyItemsAreKeptAsNewItems() throws IOException {
    // item 4 occurs in the interactions but has no content row; item 3 has content but no interaction
    Path csv = file("c4.csv", "user,item\n0,1\n0,4\n1,2\n1,1\n2,2\n");
    Settings s = settings(csv, intContent(), "split.cold-item-fraction=0.34");
    RunFolder run = ingest(s);
    JsonNode q = run.readJson(RunFolder.INPUT, "quality.json");
    assertEquals(1, q.get("items_in_interactions_without_content_row").asLong());
    assertEquals(1, q.get("content_only_items").asLong());
    Row item4 = run.read(RunFolder.INPUT, "item_content").where("item = 4").first();
    assertEquals("[0.0, 0.0] false", Arrays.toString(Vectors.floats(item4.getList(1))) + " " + item4.getBoolean(2));
    new SplitStage().run(run, s);
    assertEquals("cold_new", run.read(RunFolder.SPLIT, "item_role").where("item = 3").first().getString(1),
        "a content-only item is a brand-new item, ranked with the cold items");
  }

  @Test
  void case5NonFiniteContentIsSetToZeroAndCounted() throws IOException {
    Path content = content("nan", DataTypes.IntegerType, 1, new float[] {1, 0}, 2, new float[] {Float.NaN, 1},
        3, new float[] {Float.POSITIVE_INFINITY, 0}, 4, new float[] {0, Float.NEGATIVE_INFINITY},
        5, new float[] {0, 0});
    RunFolder run = ingest(settings(file("c5.csv", "user,item\n0,1\n0,2\n1,3\n"), content));
    Map<Integer, String> byItem = new TreeMap<>();
    for (Row r : run.read(RunFolder.INPUT, "item_content").collectAsList()) {
      byItem.put(r.getInt(0), Arrays.toString(Vectors.floats(r.getList(1))) + " " + r.getBoolean(2));
    }
    assertEquals(Map.of(1, "[1.0, 0.0] true", 2, "[0.0, 0.0] false", 3, "[0.0, 0.0] false", 4, "[0.0, 0.0] false",
        5, "[0.0, 0.0] false"), byItem);
    JsonNode q = run.readJson(RunFolder.INPUT, "quality.json");
    assertEquals(3, q.get("content_rows_non_finite_zeroed").asLong());
    assertEquals(List.of(5L, 2L, 3L, 0L), counts(q.at("/row_accounting/item_content")));
    assertEquals(3, q.at("/row_accounting/item_content/repairs/non_finite_value_zeroed").asLong());
  }

  @Test
  void rowAccountingAddsUpPerInput() throws IOException {
    // interactions: 9 lines after the header: 1 blank (rejected), (0,1) three times (2 merged), 6 distinct pairs;
    // content: 4 rows, 1 with a NaN (repaired), item 9 of the interactions without a content row
    Path csv = file("acc.csv", "user,item,weight\n0,1,1\n0,1,2\n\n0,2,\n1,1,\n1,3,\n0,1,3\n2,9,\n2,2,\n");
    Path content = content("acc", DataTypes.IntegerType, 1, new float[] {1, 0}, 2, new float[] {0, 1},
        3, new float[] {Float.NaN, 1}, 4, new float[] {1, 1});
    RunFolder run = ingest(settings(csv, content));
    JsonNode accounting = run.readJson(RunFolder.INPUT, "quality.json").get("row_accounting");
    assertEquals(List.of(9L, 6L, 2L, 1L), counts(accounting.get("interactions")));
    assertEquals(List.of(4L, 3L, 1L, 0L), counts(accounting.get("item_content")));
    assertEquals(csv.toString(), accounting.at("/interactions/source").asText());
    for (JsonNode input : accounting) {
      assertEquals(input.get("rows_in").asLong(), input.get("rows_used").asLong() + input.get("rows_repaired").asLong()
          + input.get("rows_rejected").asLong(), input.toString());
    }
    assertEquals(6, run.read(RunFolder.INPUT, "interactions").count(), "rows used = rows written");

    RowAccounting lost = new RowAccounting("interactions", "x.csv").in(10).used(8).repaired("duplicate_pair_merged", 1);
    IllegalStateException e = assertThrows(IllegalStateException.class, lost::verify);
    assertTrue(e.getMessage().contains("does not add up: 10 rows in, 8 used, 1 repaired"), e.getMessage());
    assertTrue(RowAccounting.table(List.of(lost)).contains("repaired duplicate_pair_merged 1"));
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  static List<Long> counts(JsonNode entry) {
    return List.of(entry.get("rows_in").asLong(), entry.get("rows_used").asLong(), entry.get("rows_repaired").asLong(),
        entry.get("rows_rejected").asLong());
  }

  private static List<String> lines(Dataset<Row> mapping) {
    return mapping.orderBy(mapping.columns()[0], mapping.columns()[1]).collectAsList().stream()
        .map(r -> r.get(0) + " " + r.get(1)).toList();
  }
}
