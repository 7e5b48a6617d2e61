package org.aldi.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aldi.config.Settings;
import org.aldi.distill.StudentTowers;
import org.aldi.ingest.DataSchemaAssert;
import org.aldi.score.Eq9;
import org.aldi.store.RunFolder;
import org.aldi.testing.CiteULikeSlice;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.aldi.testing.Vectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The daily flow on a real trained run ({@link CiteULikeSlice}): a batch of new items is embedded, the serving
 * export's single inner product is checked against Eq. 9 computed independently from the backbone factors and
 * the towers of model/towers.json, and the recommendations against a brute-force Eq. 9 ranking.
 */
class DailyUseSliceTest {
  /** New ids: the run's item id plus this offset, so that a new item's content is a known item's content. */
  static final int OFFSET = 1_000_000;
  static final int K = 10;

  @TempDir Path tmp;

  @Test
  void embedsNewItemsAndExportsAndRecommendsByEq9() throws IOException {
    RunFolder run = CiteULikeSlice.run();
    Dataset<Row> content = run.read(RunFolder.INPUT, "item_content").where("has_content");
    String batch = tmp.resolve("new_items.parquet").toString();
    content.where(col("item").mod(400).equalTo(0)).select(col("item").plus(OFFSET).as("item"), col("features"))
        .write().mode(SaveMode.Overwrite).parquet(batch);
    Settings settings = CiteULikeSlice.settings("serve.new-items=\"" + batch + "\"", "serve.k=" + K);

    // a batch that re-uses an item id of the run is refused
    String clash = tmp.resolve("clash.parquet").toString();
    content.where(col("item").mod(400).equalTo(0)).select("item", "features").write().parquet(clash);
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () ->
        new EmbedStage().run(run, CiteULikeSlice.settings("serve.new-items=\"" + clash + "\"")));
    assertTrue(refused.getMessage().contains("already items of the run"), refused.getMessage());

    // embed: f_I of a new item equals the training run's f_I of the item with the same content
    new EmbedStage().run(run, settings);
    Dataset<Row> fresh = run.read(ServingVectors.NEW_ITEMS, "item_vectors");
    DataSchemaAssert.matches("new_items.item_vectors", fresh);
    Map<Integer, float[]> trained = vectors(run.read(RunFolder.MODEL, "student_items"), "item", "vector");
    Map<Integer, float[]> embedded = vectors(fresh, "item", "vector");
    assertEquals(run.spark().read().parquet(batch).count(), embedded.size());
    assertTrue(embedded.size() > 20, "new items: " + embedded.size());
    embedded.forEach((item, v) -> assertClose(trained.get(item - OFFSET), v, "f_I of new item " + item));

    // Eq. 9 computed here, independently of the serve code: teachers from backbone/, students from the towers
    StudentTowers towers = StudentTowers.fromJson(readAll(run, "towers.json"));
    Map<Integer, float[]> teacherUsers = vectors(run.read(RunFolder.BACKBONE, "user_factors")
        .where(col("id").mod(20).equalTo(0)), "id", "features");
    Map<Integer, float[]> teacherItems = vectors(run.read(RunFolder.BACKBONE, "item_factors"), "id", "features");
    Map<Integer, float[]> studentUsers = map(teacherUsers, true, towers);
    Map<Integer, float[]> coldContent = vectors(run.read(RunFolder.INPUT, "item_content").join(
        run.read(RunFolder.SPLIT, "item_role").where("role != 'warm'"), "item"), "item", "features");
    run.spark().read().parquet(batch).collectAsList().forEach(r -> coldContent.put(r.getInt(0), Vectors.floats(r.getList(1))));
    Map<Integer, float[]> studentItems = map(coldContent, false, towers);
    Map<Integer, Map<Integer, Double>> expected = new HashMap<>();
    for (Map.Entry<Integer, float[]> u : teacherUsers.entrySet()) {
      Map<Integer, Double> scores = new HashMap<>();
      teacherItems.forEach((i, e) -> scores.put(i, Eq9.warmScore(u.getValue(), e)));
      studentItems.forEach((i, f) -> scores.put(i, Eq9.coldScore(studentUsers.get(u.getKey()), f)));
      expected.put(u.getKey(), scores);
    }

    // export: one inner product = Eq. 9, for every sampled user and every item
    new ExportStage().run(run, settings);
    Map<Integer, float[]> exportUsers = vectors(run.read(ExportStage.NAME, "user_vectors"), "user", "vector");
    Dataset<Row> exportItemRows = run.read(ExportStage.NAME, "item_vectors");
    Map<Integer, float[]> exportItems = vectors(exportItemRows, "item", "vector");
    assertEquals(teacherItems.size() + studentItems.size(), exportItems.size());
    assertEquals(studentItems.keySet(), ids(exportItemRows.where("cold")));
    assertEquals(run.read(RunFolder.BACKBONE, "user_factors").count(), exportUsers.size());
    long compared = 0;
    for (Map.Entry<Integer, Map<Integer, Double>> u : expected.entrySet()) {
      float[] user = exportUsers.get(u.getKey());
      for (Map.Entry<Integer, Double> s : u.getValue().entrySet()) {
        double actual = Eq9.dot(user, exportItems.get(s.getKey()));
        assertEquals(s.getValue(), actual, 1e-5 * Math.max(1, Math.abs(s.getValue())),
            "user " + u.getKey() + " item " + s.getKey());
        compared++;
      }
    }
    assertEquals(expected.size() * (long) exportItems.size(), compared);

    // recommend: the top K of Eq. 9 over every item (new ones included), without the user's known interactions
    new RecommendStage().run(run, settings);
    Dataset<Row> recs = run.read(RecommendStage.NAME, "recommendations");
    DataSchemaAssert.matches("recommend.recommendations", recs);
    Map<Integer, Set<Integer>> known = new HashMap<>();
    run.read(RunFolder.INPUT, "interactions").collectAsList()
        .forEach(r -> known.computeIfAbsent(r.getInt(0), x -> new HashSet<>()).add(r.getInt(1)));
    Map<Integer, List<Row>> byUser = new HashMap<>();
    recs.where(col("user").mod(20).equalTo(0)).orderBy("user", "rank").collectAsList()
        .forEach(r -> byUser.computeIfAbsent(r.getInt(0), x -> new ArrayList<>()).add(r));
    assertEquals(expected.keySet(), byUser.keySet());
    for (Map.Entry<Integer, List<Row>> u : byUser.entrySet()) {
      Map<Integer, Double> scores = expected.get(u.getKey());
      List<Row> top = u.getValue();
      assertEquals(K, top.size());
      Set<Integer> listed = new HashSet<>();
      for (int r = 0; r < K; r++) {
        int item = top.get(r).getInt(3);
        float score = top.get(r).getFloat(5);
        assertEquals(r + 1, top.get(r).getInt(2));
        assertFalse(known.get(u.getKey()).contains(item), "user " + u.getKey() + " already has item " + item);
        assertEquals(scores.get(item), score, 1e-5 * Math.max(1, Math.abs(score)), "score of " + item);
        assertEquals(studentItems.containsKey(item), top.get(r).getBoolean(6), "cold flag of " + item);
        assertTrue(r == 0 || score <= top.get(r - 1).getFloat(5), "descending scores");
        listed.add(item);
      }
      double last = top.get(K - 1).getFloat(5);
      scores.forEach((item, s) -> {
        if (!listed.contains(item) && !known.get(u.getKey()).contains(item)) {
          assertTrue(s <= last + 1e-5 * Math.max(1, Math.abs(last)), "item " + item + " scores " + s
              + " above the last recommended " + last + " of user " + u.getKey());
        }
      });
    }
    assertTrue(recs.where(col("cold")).count() > 0, "cold items are recommended");
  }

  private static Map<Integer, float[]> map(Map<Integer, float[]> in, boolean users, StudentTowers towers) {
    int[] ids = in.keySet().stream().mapToInt(Integer::intValue).toArray();
    int d = in.get(ids[0]).length;
    float[] flat = new float[ids.length * d];
    for (int r = 0; r < ids.length; r++) {
      System.arraycopy(in.get(ids[r]), 0, flat, r * d, d);
    }
    var x = Nd4j.create(flat, new long[] {ids.length, d}, 'c');
    var out = users ? towers.mapUsers(x) : towers.mapItems(x);
    Map<Integer, float[]> result = new HashMap<>();
    for (int r = 0; r < ids.length; r++) {
      result.put(ids[r], out.getRow(r).dup().data().asFloat());
    }
    return result;
  }

  private static Map<Integer, float[]> vectors(Dataset<Row> data, String id, String vector) {
    Map<Integer, float[]> out = new HashMap<>();
    data.select(id, vector).collectAsList().forEach(r -> out.put(r.getInt(0), Vectors.floats(r.getList(1))));
    return out;
  }

  private static Set<Integer> ids(Dataset<Row> data) {
    Set<Integer> out = new HashSet<>();
    data.select("item").collectAsList().forEach(r -> out.add(r.getInt(0)));
    return out;
  }

  private static void assertClose(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int k = 0; k < expected.length; k++) {
      assertEquals(expected[k], actual[k], 1e-5 * Math.max(1, Math.abs(expected[k])), what + "[" + k + "]");
    }
  }

  private static byte[] readAll(RunFolder run, String file) throws IOException {
    try (InputStream in = run.open(RunFolder.MODEL, file)) {
      return in.readAllBytes();
    }
  }
}
