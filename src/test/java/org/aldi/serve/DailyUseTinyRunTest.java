package org.aldi.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aldi.config.Settings;
import org.aldi.ingest.DataSchemaAssert;
import org.aldi.ranking.TinyRun;
import org.aldi.store.Lineage;
import org.aldi.store.RunFolder;
import org.aldi.store.Stage;
import org.aldi.store.StageOutput;
import org.aldi.store.StaleOutputException;
import org.aldi.testing.TestSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recommend and export on the hand-made {@link TinyRun}, where every score is known: users' teacher and student
 * vectors are (1, 0), so a warm item scores its teacher value (10..13: 4 3 2 1) and a cold item its student value
 * (20: 10, 22: 1, 21, 23, 24: 0).
 */
class DailyUseTinyRunTest {
  @TempDir Path dir;

  @Test
  void recommendsAndExportsByEq9WithoutKnownInteractionsAndWithIndexIdsWhenUnmapped() {
    Settings settings = TinyRun.settings(dir.toString(), "serve.k=3");
    RunFolder run = TinyRun.write(dir.toString(), settings);
    writeInput(run, settings, false);

    new RecommendStage().run(run, settings);

    Dataset<Row> recs = run.read(RecommendStage.NAME, "recommendations");
    DataSchemaAssert.matches("recommend.recommendations", recs);
    // user 0 knows 10-13, 20 and 22 (train, validation and test alike): only the zero-scored cold items are left
    assertEquals(List.of("0 0 1 21 21 0.0 true", "0 0 2 23 23 0.0 true", "0 0 3 24 24 0.0 true"), lines(recs, 0));
    // user 3 knows 10 and 12: cold 20 (10) first, warm 11 (3), then 13 and 22 tie at 1 and the lower id wins
    assertEquals(List.of("3 3 1 20 20 10.0 true", "3 3 2 11 11 3.0 false", "3 3 3 13 13 1.0 false"), lines(recs, 3));
    assertEquals(List.of("2 2 1 20 20 10.0 true", "2 2 2 12 12 2.0 false", "2 2 3 22 22 1.0 true"), lines(recs, 2));
    assertEquals(12, recs.count());

    new ExportStage().run(run, settings);

    Dataset<Row> items = run.read(ExportStage.NAME, "item_vectors");
    assertEquals(9, items.count());
    assertFalse(run.isComplete(ServingVectors.NEW_ITEMS));
    assertEquals("13 13 false [1.0, 0.0, 0.0, 0.0]", line(items.where("item = 13").first()));
    Dataset<Row> users = run.read(ExportStage.NAME, "user_vectors");
    assertEquals("2 2 [1.0, 0.0, 1.0, 0.0]", line(users.where("user = 2").first()));
  }

  @Test
  void addsEmbeddedNewItemsAsColdItemsAndMapsOriginalIds() {
    Settings settings = TinyRun.settings(dir.toString(), "serve.k=3");
    RunFolder run = TinyRun.write(dir.toString(), settings);
    writeInput(run, settings, true);
    SparkSession spark = TestSpark.get();
    StageOutput fresh = StageOutput.begin(run, ServingVectors.NEW_ITEMS, settings);
    fresh.writeParquet("item_vectors", spark.createDataFrame(List.of(
        RowFactory.create(30, new Float[] {5f, 0f}), RowFactory.create(31, new Float[] {0f, 0f})),
        new StructType().add("item", DataTypes.IntegerType)
            .add("vector", DataTypes.createArrayType(DataTypes.FloatType))));
    fresh.commit();

    new RecommendStage().run(run, settings);

    Dataset<Row> recs = run.read(RecommendStage.NAME, "recommendations");
    // new item 30 scores f_U(e_u) . f_I(c) = 5; it has no original id, so its index stands in; user 3 is unmapped
    assertEquals(List.of("3 3 1 20 doc-20 10.0 true", "3 3 2 30 30 5.0 true", "3 3 3 11 doc-11 3.0 false"),
        lines(recs, 3));
    assertEquals(List.of("1 bob 1 20 doc-20 10.0 true", "1 bob 2 30 30 5.0 true", "1 bob 3 13 doc-13 1.0 false"),
        lines(recs, 1));

    new ExportStage().run(run, settings);

    Dataset<Row> users = run.read(ExportStage.NAME, "user_vectors");
    Dataset<Row> items = run.read(ExportStage.NAME, "item_vectors");
    DataSchemaAssert.matches("export.user_vectors", users);
    DataSchemaAssert.matches("export.item_vectors", items);
    assertEquals("0 alice [1.0, 0.0, 1.0, 0.0]", line(users.where("user = 0").first()));
    assertEquals("3 3 [1.0, 0.0, 1.0, 0.0]", line(users.where("user = 3").first()));
    assertEquals("10 doc-10 false [4.0, 0.0, 0.0, 0.0]", line(items.where("item = 10").first()));
    assertEquals("20 doc-20 true [0.0, 0.0, 10.0, 0.0]", line(items.where("item = 20").first()));
    assertEquals("30 30 true [0.0, 0.0, 5.0, 0.0]", line(items.where("item = 30").first()));
    assertEquals(11, items.count());
    JsonNode index = run.readJson(ExportStage.NAME, "index.json");
    assertEquals(4, index.get("dimension").asInt());
    assertEquals(7, index.get("cold_items").asInt());
  }

  /**
   * Issue 6, case 10, with the new item vectors kept outside the run folder (aldi.serve.new-item-vectors): they are
   * served with the model they were embedded with, and refused once the run's model has been replaced.
   */
  @Test
  void newItemVectorsKeptElsewhereAreNeverServedWithAnotherModel() {
    Path shared = dir.resolve("shared");
    Settings settings = TinyRun.settings(dir.resolve("run").toString(), "serve.k=3",
        "serve.new-item-vectors=\"" + shared.resolve("vectors") + "\"");
    RunFolder run = TinyRun.write(settings.run.dir, settings);
    writeInput(run, settings, false);
    Stage embed = new Stage() { // stands in for the embed job: new item 30 = (5, 0), embedded with the run's model
      @Override
      public String name() {
        return ServingVectors.NEW_ITEMS;
      }

      @Override
      public Lineage lineage(Settings s) {
        return Lineage.of(List.of(RunFolder.MODEL));
      }

      @Override
      public void run(RunFolder folder, Settings s) {
        StageOutput.write(folder, ServingVectors.newItems(s), s, out -> out.writeParquet("item_vectors",
            TestSpark.get().createDataFrame(List.of(RowFactory.create(30, new Float[] {5f, 0f})), new StructType()
                .add("item", DataTypes.IntegerType).add("vector", DataTypes.createArrayType(DataTypes.FloatType)))));
      }
    };
    run.execute(embed, settings);
    run.execute(new RecommendStage(), settings);
    assertEquals(List.of("3 3 1 20 20 10.0 true", "3 3 2 30 30 5.0 true", "3 3 3 11 11 3.0 false"),
        lines(run.read(RecommendStage.NAME, "recommendations"), 3));

    TinyRun.write(settings.run.dir, settings); // another training run's backbone and model in the run folder
    StaleOutputException e = assertThrows(StaleOutputException.class,
        () -> run.execute(new RecommendStage(), settings));
    assertTrue(e.getMessage().contains("the 'vectors' output read from " + shared + " was not built from the 'model' "
        + "output read with it"), e.getMessage());
  }

  /** Issue 6, case 7: K larger than the 9 candidates, and user 3 who already knows every one of them. */
  @Test
  void shortAndEmptyRecommendationListsAreCounted() {
    Settings settings = TinyRun.settings(dir.toString(), "serve.k=50");
    RunFolder run = TinyRun.write(dir.toString(), settings);
    Dataset<Row> known = null;
    for (String part : new String[] {"train", "warm_val", "warm_test", "cold_val", "cold_test"}) {
      Dataset<Row> p = run.read(RunFolder.SPLIT, part);
      known = known == null ? p : known.union(p);
    }
    Dataset<Row> everything = TestSpark.get().sql("select 3 as user, explode(array(10, 11, 12, 13, 20, 21, 22, 23, "
        + "24)) as item");
    Dataset<Row> interactions = known.union(everything).distinct();
    StageOutput.write(run, RunFolder.INPUT, settings, out -> out.writeParquet("interactions", interactions));

    new RecommendStage().run(run, settings);

    Dataset<Row> recs = run.read(RecommendStage.NAME, "recommendations");
    // user 0 knows 6 of the 9 items, user 1 knows 5, user 2 knows 4, user 3 all of them
    assertEquals(List.of(3L, 4L, 5L, 0L), List.of(recs.where("user = 0").count(), recs.where("user = 1").count(),
        recs.where("user = 2").count(), recs.where("user = 3").count()));
    JsonNode summary = run.readJson(RecommendStage.NAME, "summary.json");
    assertEquals("{\"k\":50,\"candidates\":9,\"users\":4,\"users_with_k_recommendations\":0,"
        + "\"users_with_fewer_than_k\":3,\"users_without_recommendations\":1}", summary.toString());
  }

  /** input/interactions: every pair of the tiny split; with mapping, user_ids for users 0-2 and item_ids 10-24. */
  private static void writeInput(RunFolder run, Settings settings, boolean mapping) {
    SparkSession spark = TestSpark.get();
    Dataset<Row> all = null;
    for (String part : new String[] {"train", "warm_val", "warm_test", "cold_val", "cold_test"}) {
      Dataset<Row> p = run.read(RunFolder.SPLIT, part);
      all = all == null ? p : all.union(p);
    }
    Dataset<Row> interactions = all;
    StageOutput.write(run, RunFolder.INPUT, settings, out -> {
      out.writeParquet("interactions", interactions);
      if (mapping) {
        out.writeParquet("user_ids", spark.createDataFrame(List.of(RowFactory.create(0, "alice"),
            RowFactory.create(1, "bob"), RowFactory.create(2, "carol")),
            new StructType().add("user", DataTypes.IntegerType).add("user_id", DataTypes.StringType)));
        List<Row> items = new ArrayList<>();
        for (int item : new int[] {10, 11, 12, 13, 20, 21, 22, 23, 24}) {
          items.add(RowFactory.create(item, "doc-" + item));
        }
        out.writeParquet("item_ids", spark.createDataFrame(items,
            new StructType().add("item", DataTypes.IntegerType).add("item_id", DataTypes.StringType)));
      }
    });
  }

  private static List<String> lines(Dataset<Row> recs, int user) {
    return recs.where("user = " + user).orderBy("rank").collectAsList().stream().map(DailyUseTinyRunTest::line)
        .toList();
  }

  private static String line(Row row) {
    List<String> values = new ArrayList<>();
    for (int i = 0; i < row.size(); i++) {
      Object v = row.get(i);
      values.add(v instanceof scala.collection.Seq<?> ? row.getList(i).toString() : v.toString());
    }
    return String.join(" ", values);
  }
}
