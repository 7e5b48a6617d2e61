package org.aldi.ranking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.aldi.config.Settings;
import org.aldi.ranking.ColdStartEvaluator.Evaluation;
import org.aldi.ranking.ColdStartEvaluator.Part;
import org.aldi.ranking.ColdStartEvaluator.Task;
import org.aldi.store.RunFolder;
import org.aldi.testing.TestSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Task construction and metrics on {@link TinyRun}; expected values worked out by hand in the comments. */
class ColdStartEvaluatorTest {
  private static final double LOG2_3 = Math.log(3) / Math.log(2);
  @TempDir Path dir;

  @Test
  void buildsUsersTruthAndExclusionsPerTaskAndPart() {
    try (ColdStartEvaluator e = evaluator()) {
      Map<Integer, int[][]> warm = queries(e, Task.WARM, Part.TEST);
      assertEquals(List.of(0, 1, 3), List.copyOf(warm.keySet()));
      assertArrayEquals(new int[] {13}, warm.get(0)[0]);
      // train 10, 11; warm_val 12; cold_val 20; cold_test 22 - but never the truth 13
      assertArrayEquals(new int[] {10, 11, 12, 20, 22}, warm.get(0)[1]);
      assertArrayEquals(new int[] {10, 12, 21, 22}, warm.get(1)[1]);

      Map<Integer, int[][]> cold = queries(e, Task.COLD, Part.TEST);
      assertEquals(List.of(0, 1, 2), List.copyOf(cold.keySet()));
      assertArrayEquals(new int[] {22}, cold.get(1)[0]);
      assertArrayEquals(new int[] {10, 11, 12, 21}, cold.get(1)[1]);
      assertArrayEquals(new int[] {10, 11, 13}, cold.get(2)[1]);

      Map<Integer, int[][]> overall = queries(e, Task.OVERALL, Part.TEST);
      assertEquals(List.of(0, 1), List.copyOf(overall.keySet()), "users with warm and cold test items");
      assertArrayEquals(new int[] {13, 22}, overall.get(0)[0]);
      assertArrayEquals(new int[] {10, 11, 12, 20}, overall.get(0)[1]);

      Map<Integer, int[][]> coldVal = queries(e, Task.COLD, Part.VAL);
      assertEquals(List.of(0, 1), List.copyOf(coldVal.keySet()));
      assertArrayEquals(new int[] {20}, coldVal.get(0)[0]);
      assertArrayEquals(new int[] {10, 11, 12, 13, 22}, coldVal.get(0)[1]);
      assertEquals(List.of(0, 2), List.copyOf(queries(e, Task.WARM, Part.VAL).keySet()));

      assertArrayEquals(new int[] {10, 11, 12, 13}, e.candidateIds(Task.WARM));
      assertArrayEquals(new int[] {20, 21, 22, 23, 24}, e.candidateIds(Task.COLD));
      assertArrayEquals(new int[] {10, 11, 12, 13, 20, 21, 22, 23, 24}, e.candidateIds(Task.OVERALL));

      for (Task task : Task.values()) {
        for (Part part : Part.values()) {
          for (int[][] q : queries(e, task, part).values()) {
            assertTrue(Arrays.stream(q[1]).noneMatch(x -> Arrays.binarySearch(q[0], x) >= 0),
                task + " " + part + ": an exclusion is in the ground truth");
          }
        }
      }
    }
  }

  @Test
  void overallEitherAndMaxUsers() {
    try (ColdStartEvaluator either = evaluator("evaluate.overall-users=either")) {
      assertEquals(List.of(0, 1, 2, 3), List.copyOf(queries(either, Task.OVERALL, Part.TEST).keySet()));
    }
    try (ColdStartEvaluator first2 = evaluator("evaluate.max-users=2")) {
      assertEquals(List.of(0, 1), List.copyOf(queries(first2, Task.WARM, Part.TEST).keySet()));
      assertEquals(List.of(0, 1), List.copyOf(queries(first2, Task.COLD, Part.TEST).keySet()));
    }
  }

  @Test
  void metricsOfEachTaskFollowEq9AndTheExclusions() {
    RunFolder run = new RunFolder(TestSpark.get(), dir.toString());
    try (ColdStartEvaluator e = evaluator()) {
      Dataset<Row> tu = run.read(RunFolder.BACKBONE, "user_factors");
      Dataset<Row> ti = run.read(RunFolder.BACKBONE, "item_factors");
      Dataset<Row> su = run.read(RunFolder.MODEL, "student_users");
      Dataset<Row> si = run.read(RunFolder.MODEL, "student_items");
      int[] ks = {1, 2};

      // WARM: u0 excludes 10-12 so 13 is its only candidate (P@2 = 1/2); u1 ranks [11, 13]; u3 ranks [10, 11].
      Evaluation warm = e.evaluate(Task.WARM, Part.TEST, tu, ti, null, null, ks);
      assertEquals(3, warm.users());
      assertEquals(1.0, warm.means().get("precision@1"), 1e-9);
      assertEquals(0.5, warm.means().get("precision@2"), 1e-9);
      assertEquals(1.0, warm.means().get("ndcg@2"), 1e-9);

      // COLD: u0 excludes 20 and ranks [22, 21] (hit at 1); u1 ranks [20, 22] (hit at 2); u2 ranks [20, 22] (miss).
      Evaluation cold = e.evaluate(Task.COLD, Part.TEST, null, null, su, si, ks);
      assertEquals(3, cold.users());
      assertEquals(1.0 / 3, cold.means().get("precision@1"), 1e-9);
      assertEquals(1.0 / 3, cold.means().get("precision@2"), 1e-9);
      assertEquals(2.0 / 3, cold.means().get("recall@2"), 1e-9);
      assertEquals((1 + 1 / LOG2_3) / 3, cold.means().get("ndcg@2"), 1e-9);

      // OVERALL: u0 (truth 13, 22) ranks [13, 22]: warm 13 and cold 22 tie at 1, the lower id first;
      // u1 (truth 11, 22) ranks [20, 11].
      Evaluation overall = e.evaluate(Task.OVERALL, Part.TEST, tu, ti, su, si, ks, true);
      assertEquals(2, overall.users());
      assertEquals(0.5, overall.means().get("precision@1"), 1e-9);
      assertEquals(0.75, overall.means().get("recall@2"), 1e-9);
      assertEquals((1 + (1 / LOG2_3) / (1 + 1 / LOG2_3)) / 2, overall.means().get("ndcg@2"), 1e-9);
      List<Row> perUser = overall.perUser().orderBy("user").collectAsList();
      assertEquals(List.of("user", "precision_at_1", "precision_at_2", "recall_at_1", "recall_at_2", "ndcg_at_1",
          "ndcg_at_2"), List.of(overall.perUser().columns()));
      assertEquals(1.0, perUser.get(0).getDouble(2));
      assertEquals(0.0, perUser.get(1).getDouble(1));
      overall.perUser().unpersist();

      // A repeated call with new student items uses them: 23 = (20, 0), 22 = (1, 0), the others 0; u0 and u1
      // rank [23, 22] (hit at 2), u2 ranks 23 first.
      Map<Integer, float[]> items = new TreeMap<>();
      for (int item = 20; item <= 24; item++) {
        items.put(item, new float[] {item == 23 ? 20 : item == 22 ? 1 : 0, 0});
      }
      Evaluation again = e.evaluate(Task.COLD, Part.TEST, null, null, su,
          TinyRun.vectors(TestSpark.get(), "item", "vector", items), ks);
      assertEquals(1.0 / 3, again.means().get("precision@1"), 1e-9);
      assertEquals(1.0, again.means().get("recall@2"), 1e-9);
      assertEquals((2 / LOG2_3 + 1) / 3, again.means().get("ndcg@2"), 1e-9);
    }
  }

  @Test
  void aUserWithoutAVectorIsAnError() {
    RunFolder run = new RunFolder(TestSpark.get(), dir.toString());
    try (ColdStartEvaluator e = evaluator()) {
      Dataset<Row> su = run.read(RunFolder.MODEL, "student_users").where("user <> 2");
      IllegalStateException error = assertThrows(IllegalStateException.class, () -> e.evaluate(Task.COLD, Part.TEST,
          null, null, su, run.read(RunFolder.MODEL, "student_items"), new int[] {1}));
      assertTrue(error.getMessage().contains("1 of 3 users"), error.getMessage());
    }
  }

  private ColdStartEvaluator evaluator(String... overrides) {
    Settings settings = TinyRun.settings(dir.toString(), overrides);
    RunFolder run = new RunFolder(TestSpark.get(), dir.toString());
    if (!run.isComplete(RunFolder.MODEL)) {
      TinyRun.write(dir.toString(), settings);
    }
    return new ColdStartEvaluator(ColdStartEvaluator.Split.read(run), settings);
  }

  /** user -> {truth, exclude}, ordered by user. */
  private static Map<Integer, int[][]> queries(ColdStartEvaluator e, Task task, Part part) {
    Map<Integer, int[][]> out = new TreeMap<>();
    for (Row r : e.queries(task, part).collectAsList()) {
      int[] truth = r.<Integer>getList(1).stream().mapToInt(Integer::intValue).toArray();
      int[] exclude = r.<Integer>getList(2).stream().mapToInt(Integer::intValue).toArray();
      out.put(r.getInt(0), new int[][] {truth, exclude});
    }
    return out;
  }
}
