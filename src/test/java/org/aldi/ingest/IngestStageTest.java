package org.aldi.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.aldi.config.ConfigLoader;
import org.aldi.config.Settings;
import org.aldi.store.RunFolder;
import org.aldi.testing.TestSpark;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestStageTest {
  static final String USERS = "src/main/data/citeulike-a/users.dat.gz";
  static final String TAGS = "src/main/data/citeulike-a/item-tag.dat.gz";

  @TempDir Path dir;

  static Settings settings(Path runDir, String... overrides) {
    List<String> all = new ArrayList<>(List.of("run.dir=\"" + runDir + "\""));
    all.addAll(List.of(overrides));
    return ConfigLoader.load(List.of(), all);
  }

  static String quoted(Object path) {
    return "\"" + path + "\"";
  }

  /** Writes the first n lines of a gzip file to a plain file. */
  static Path firstLines(String gz, int n, Path target) throws IOException {
    List<String> lines = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(new FileInputStream(gz)), StandardCharsets.UTF_8))) {
      String line;
      while (lines.size() < n && (line = in.readLine()) != null) {
        lines.add(line);
      }
    }
    Files.write(target, lines);
    return target;
  }

  private RunFolder ingest(Path users, Path tags, String... extra) {
    return ingestInto("run", users, tags, extra);
  }

  private RunFolder ingestInto(String runName, Path users, Path tags, String... extra) {
    List<String> o = new ArrayList<>(List.of("data.interactions.path=" + quoted(users),
        "data.content.path=" + quoted(tags), "data.content.dimension=2", "data.content.min-item-frequency=2"));
    o.addAll(List.of(extra));
    Settings s = settings(dir.resolve(runName), o.toArray(String[]::new));
    RunFolder run = new RunFolder(TestSpark.get(), s.run.dir);
    new IngestStage().run(run, s);
    return run;
  }

  private Map<Integer, Row> contentByItem(RunFolder run) {
    Map<Integer, Row> byItem = new HashMap<>();
    for (Row r : run.read(RunFolder.INPUT, "item_content").collectAsList()) {
      byItem.put(r.getInt(0), r);
    }
    return byItem;
  }

  @Test
  void tinyInputIsDeduplicatedAndEveryItemGetsContent() throws IOException {
    Path users = Files.writeString(dir.resolve("users.dat"), "3 0 1 1\n2 1 2\n2 0 5");
    // tags 10 and 11 are used by two items, 12 and 99 by one (dropped at min-item-frequency 2)
    Path tags = Files.writeString(dir.resolve("item-tag.dat"), "2 10 11\n2 10 12\n1 11\n0\n1 99\n");
    RunFolder run = ingest(users, tags);

    Dataset<Row> interactions = run.read(RunFolder.INPUT, "interactions");
    DataSchemaAssert.matches("input.interactions", interactions);
    assertEquals(6, interactions.count());
    assertEquals(1, interactions.filter("user = 0 and item = 1").count());
    assertEquals(1, interactions.filter("user = 2 and item = 5").count());
    assertEquals(0, interactions.filter("weight is not null or timestamp is not null").count());

    Dataset<Row> content = run.read(RunFolder.INPUT, "item_content");
    DataSchemaAssert.matches("input.item_content", content);
    Map<Integer, Row> byItem = contentByItem(run);
    assertEquals(List.of(0, 1, 2, 3, 4, 5), byItem.keySet().stream().sorted().toList());
    double normSum = 0;
    for (Row r : byItem.values()) {
      List<Float> f = r.getList(1);
      assertEquals(2, f.size());
      double norm = Math.sqrt(f.stream().mapToDouble(x -> x * x).sum());
      assertEquals(r.getInt(0) <= 2, r.getBoolean(2), "has_content of item " + r.getInt(0));
      assertEquals(r.getBoolean(2), norm > 0, "non-zero vector of item " + r.getInt(0));
      normSum += norm;
    }
    assertEquals(1.0, normSum / 3, 1e-5, "mean norm over items with content");

    JsonNode q = run.readJson(RunFolder.INPUT, "quality.json");
    assertEquals(7, q.get("interaction_rows_read").asLong());
    assertEquals(1, q.get("duplicates_dropped").asLong());
    assertEquals(3, q.get("users").asLong());
    assertEquals(6, q.get("items").asLong());
    assertEquals(2, q.get("items_with_content_row_but_zero_vector").asLong());
    assertEquals(1, q.get("items_in_interactions_without_content_row").asLong());
    assertEquals(2, q.get("content_only_items").asLong());
    assertEquals(1, q.get("content").get("items_with_empty_content").asLong());
    assertEquals(1, q.get("content").get("items_whose_tags_were_all_dropped").asLong());
    assertEquals(2, q.get("content").get("tags_kept").asLong());

    Dataset<Row> again = ingestInto("again", users, tags).read(RunFolder.INPUT, "item_content");
    assertEquals(content.orderBy("item").collectAsList(), again.orderBy("item").collectAsList(), "deterministic");
  }

  @Test
  void malformedLineNamesFileLineAndReason() throws IOException {
    Path users = Files.writeString(dir.resolve("users.dat"), "2 0 1\n3 1 2\n1 0\n");
    Path tags = Files.writeString(dir.resolve("item-tag.dat"), "1 5\n1 5\n0\n");
    MalformedInputException e = assertThrows(MalformedInputException.class, () -> ingest(users, tags));
    assertTrue(e.getMessage().contains(users + " line 2: leading count is 3 but 2 ids follow"), e.getMessage());
    assertFalse(new RunFolder(TestSpark.get(), dir.resolve("run").toString()).isComplete(RunFolder.INPUT));

    Path badTags = Files.writeString(dir.resolve("bad-tag.dat"), "1 5\n1 x\n");
    Path goodUsers = Files.writeString(dir.resolve("good.dat"), "1 0\n");
    e = assertThrows(MalformedInputException.class, () -> ingest(goodUsers, badTags));
    assertTrue(e.getMessage().contains(badTags + " line 2: id 'x' is not an integer >= 0"), e.getMessage());
  }

  @Test
  void csvWithWeightsAndParquetContent() throws IOException {
    Path csv = Files.writeString(dir.resolve("i.csv"),
        "item,user,weight,timestamp\n1,0,1.5,100\n1,0,2.5,50\n2,1,,\n");
    Dataset<Row> given = TestSpark.get().sql(
        "select 1 as item, array(1.0f, 0.0f) as features union all select 7, array(0.0f, 0.0f)");
    Path parquet = dir.resolve("content.parquet");
    given.write().parquet(parquet.toString());
    RunFolder run = ingest(csv, parquet, "data.interactions.format=csv", "data.content.format=parquet");

    List<Row> rows = run.read(RunFolder.INPUT, "interactions").orderBy("user").collectAsList();
    assertEquals(2, rows.size());
    assertEquals(2.5f, rows.get(0).getFloat(2), "largest weight of the duplicates");
    assertEquals(50L, rows.get(0).getLong(3), "smallest timestamp of the duplicates");
    assertTrue(rows.get(1).isNullAt(2) && rows.get(1).isNullAt(3));
    Map<Integer, Row> byItem = contentByItem(run);
    assertEquals(List.of(1, 2, 7), byItem.keySet().stream().sorted().toList());
    assertArrayEquals(new Object[] {1.0f, 0.0f}, byItem.get(1).getList(1).toArray());
    assertTrue(byItem.get(1).getBoolean(2));
    assertFalse(byItem.get(2).getBoolean(2), "no content row");
    assertFalse(byItem.get(7).getBoolean(2), "zero content vector");

    Path badCsv = Files.writeString(dir.resolve("bad.csv"), "user,item\n0,1\n0\n");
    MalformedInputException e = assertThrows(MalformedInputException.class,
        () -> ingest(badCsv, parquet, "data.interactions.format=csv", "data.content.format=parquet"));
    assertTrue(e.getMessage().contains(badCsv + " line 3: 1 fields, the header [user, item] has 2"), e.getMessage());
    e = assertThrows(MalformedInputException.class, () -> ingest(csv, parquet, "data.interactions.format=csv",
        "data.content.format=parquet", "data.content.dimension=3"));
    assertTrue(e.getMessage().contains("aldi.data.content.dimension = 3"), e.getMessage());
  }

  /**
   * Parquet content in an ml Vector column stays sparse: input/item_content holds ml Vectors, each in its compact
   * form (a SparseVector unless most entries are set), items without a content row get the sparse zero vector.
   */
  @Test
  void sparseParquetContentStaysSparse() throws IOException {
    Path csv = Files.writeString(dir.resolve("i.csv"), "user,item\n0,1\n0,2\n1,3\n");
    StructType schema = new StructType().add("item", DataTypes.IntegerType).add("features", new VectorUDT());
    Path parquet = dir.resolve("sparse.parquet");
    TestSpark.get().createDataFrame(List.of(
        RowFactory.create(1, Vectors.sparse(6, new int[] {0, 4}, new double[] {1, 1})),
        RowFactory.create(2, Vectors.dense(0, 2, 3, 4, 5, 0)),
        RowFactory.create(9, Vectors.sparse(6, new int[0], new double[0]))), schema).write().parquet(parquet.toString());
    RunFolder run = ingest(csv, parquet, "data.interactions.format=csv", "data.content.format=parquet",
        "data.content.dimension=6");

    Dataset<Row> content = run.read(RunFolder.INPUT, "item_content");
    DataSchemaAssert.matches("input.item_content", content);
    Map<Integer, Row> byItem = contentByItem(run);
    assertEquals(List.of(1, 2, 3, 9), byItem.keySet().stream().sorted().toList());
    assertEquals(Vectors.sparse(6, new int[] {0, 4}, new double[] {1, 1}), byItem.get(1).get(1));
    assertTrue(byItem.get(1).get(1) instanceof SparseVector, "a sparse row stays sparse");
    assertTrue(byItem.get(2).get(1) instanceof DenseVector, "a row with most entries set is stored densely");
    assertEquals(Vectors.sparse(6, new int[0], new double[0]), byItem.get(3).get(1), "no content row: zero");
    assertTrue(byItem.get(3).get(1) instanceof SparseVector);
    assertEquals(List.of(true, true, false, false), List.of(byItem.get(1).getBoolean(2), byItem.get(2).getBoolean(2),
        byItem.get(3).getBoolean(2), byItem.get(9).getBoolean(2)), "has_content");
    assertEquals("sparse (ml Vector)", run.readJson(RunFolder.INPUT, "quality.json").get("content_storage").asText());

    MalformedInputException e = assertThrows(MalformedInputException.class, () -> ingest(csv, parquet,
        "data.interactions.format=csv", "data.content.format=parquet", "data.content.dimension=7"));
    assertTrue(e.getMessage().contains(parquet + ": 3 rows have") && e.getMessage().contains("= 7"), e.getMessage());
    Path strings = dir.resolve("strings.parquet");
    TestSpark.get().sql("select 1 as item, 'a b' as features").write().parquet(strings.toString());
    e = assertThrows(MalformedInputException.class, () -> ingest(csv, strings, "data.interactions.format=csv",
        "data.content.format=parquet"));
    assertTrue(e.getMessage().contains("content column 'features' must be an array of numbers or an ml Vector"),
        e.getMessage());
  }

  @Test
  void sliceOfCiteULike() throws IOException {
    Path users = firstLines(USERS, 300, dir.resolve("users300.dat"));
    long pairs = 0;
    for (String line : Files.readAllLines(users)) {
      pairs += Integer.parseInt(line.split(" ")[0]);
    }
    RunFolder run = ingest(users, Path.of(TAGS), "data.content.dimension=16");
    JsonNode q = run.readJson(RunFolder.INPUT, "quality.json");
    assertEquals(pairs, q.get("interactions").asLong());
    assertEquals(0, q.get("duplicates_dropped").asLong());
    assertEquals(300, q.get("users").asLong());
    assertEquals(16980, q.get("items").asLong(), "every content line is an item");
    assertEquals(3461, q.get("content").get("items_with_empty_content").asLong());
    assertEquals(0, q.get("items_in_interactions_without_content_row").asLong());
    Dataset<Row> content = run.read(RunFolder.INPUT, "item_content");
    assertEquals(0, content.filter("size(features) != 16").count());
    assertEquals(16980 - q.get("items_with_content_row_but_zero_vector").asLong(),
        content.filter("has_content").count());
  }
}
