package org.aldi.ranking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.aldi.testing.TestSpark;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class RankingEngineTest {
  static final StructType QUERY = new StructType()
      .add("user", DataTypes.IntegerType)
      .add("vector", DataTypes.createArrayType(DataTypes.FloatType))
      .add("truth", DataTypes.createArrayType(DataTypes.IntegerType))
      .add("exclude", DataTypes.createArrayType(DataTypes.IntegerType));

  /**
   * Small integer vectors give exact float scores and many exact ties, so the distributed engine (ND4J product,
   * heap top-K, blocks across partitions) must agree exactly with a full sort of brute-force scores.
   */
  @Test
  void matchesABruteForceSingleThreadedReference() {
    SparkSession spark = TestSpark.get();
    Random random = new Random(42);
    int d = 4;
    int[] ids = IntStream.range(0, 60).map(i -> 3 * i + 100).toArray();
    shuffle(ids, random);
    float[][] itemVectors = new float[ids.length][];
    for (int i = 0; i < ids.length; i++) {
      itemVectors[i] = smallInts(d, random);
    }
    List<Row> queries = new ArrayList<>();
    Map<Integer, Object[]> byUser = new HashMap<>();
    for (int u = 0; u < 37; u++) {
      int[] perm = ids.clone();
      shuffle(perm, random);
      int nTruth = 1 + random.nextInt(8);
      int nExclude = random.nextInt(15);
      int[] truth = Arrays.copyOfRange(perm, 0, nTruth);
      int[] exclude = Arrays.copyOfRange(perm, nTruth, nTruth + nExclude);
      if (u % 5 == 0) {
        truth = append(truth, 7); // a truth item that is not a candidate: counts in |T|, never hit
        exclude = append(exclude, 5); // an exclusion that is not a candidate: ignored
      }
      float[] vector = smallInts(d, random);
      queries.add(RowFactory.create(u, boxed(vector), boxed(truth), boxed(exclude)));
      byUser.put(u, new Object[] {vector, truth, exclude});
    }
    // A user without ground truth is dropped.
    queries.add(RowFactory.create(99, boxed(smallInts(d, random)), new Integer[0], new Integer[0]));
    int[] ks = {1, 5, 20, 100};

    Candidates candidates = Candidates.of(ids, itemVectors);
    Broadcast<Candidates> broadcast = RankingEngine.broadcast(spark, candidates);
    Dataset<Row> input = spark.createDataFrame(queries, QUERY).repartition(3);
    List<Row> rows = RankingEngine.perUser(input, broadcast, ks, 7).collectAsList();

    assertEquals(37, rows.size());
    double[] sums = new double[3 * ks.length];
    for (Row row : rows) {
      Object[] q = byUser.get(row.getInt(0));
      double[] expected = bruteForce((float[]) q[0], (int[]) q[1], (int[]) q[2], ids, itemVectors, ks);
      double[] actual = new double[expected.length];
      for (int j = 0; j < actual.length; j++) {
        actual[j] = row.getDouble(1 + j);
        sums[j] += expected[j];
      }
      assertArrayEquals(expected, actual, 1e-12, "user " + row.getInt(0));
    }
    RankingEngine.Summary summary = RankingEngine.summarize(RankingEngine.perUser(input, broadcast, ks, 7), ks);
    assertEquals(37, summary.users());
    assertEquals(sums[0] / 37, summary.means().get("precision@1"), 1e-12);
    assertEquals(sums[3 * ks.length - 1] / 37, summary.means().get("ndcg@100"), 1e-12);
    assertEquals(12, summary.means().size());
  }

  @Test
  void exclusionsArePerUser() {
    SparkSession spark = TestSpark.get();
    Candidates candidates = Candidates.of(new int[] {1, 2, 3}, new float[][] {{3}, {2}, {1}});
    List<Row> queries = List.of(
        RowFactory.create(0, new Float[] {1f}, new Integer[] {2}, new Integer[] {1}),
        RowFactory.create(1, new Float[] {1f}, new Integer[] {1}, new Integer[] {2}));
    List<Row> rows = RankingEngine.perUser(spark.createDataFrame(queries, QUERY),
        RankingEngine.broadcast(spark, candidates), new int[] {1}, 512).orderBy("user").collectAsList();
    // user 0 excludes item 1, so its truth item 2 is first; item 1 is user 1's truth and stays first for user 1.
    assertEquals(1.0, rows.get(0).getDouble(1));
    assertEquals(1.0, rows.get(1).getDouble(1));
  }

  /**
   * Issue 6, case 7: with K larger than the candidates every candidate is ranked and Precision@K still divides by
   * K; a user with an empty ground truth is not evaluated (and not counted in the mean).
   */
  @Test
  void kLargerThanTheCandidatesAndAUserWithAnEmptyGroundTruth() {
    SparkSession spark = TestSpark.get();
    Candidates candidates = Candidates.of(new int[] {1, 2, 3}, new float[][] {{3}, {2}, {1}});
    List<Row> queries = List.of(
        RowFactory.create(0, new Float[] {1f}, new Integer[] {3}, new Integer[] {1}),
        RowFactory.create(1, new Float[] {1f}, new Integer[0], new Integer[0]),
        RowFactory.create(2, new Float[] {1f}, new Integer[] {1, 2}, null));
    Dataset<Row> perUser = RankingEngine.perUser(spark.createDataFrame(queries, QUERY),
        RankingEngine.broadcast(spark, candidates), new int[] {10}, 2);
    List<Row> rows = perUser.orderBy("user").collectAsList();
    assertEquals(List.of(0, 2), rows.stream().map(r -> r.getInt(0)).toList(), "user 1 has no ground truth");
    // user 0: ranked 2, 3 (1 excluded): one hit at rank 2; user 2: ranked 1, 2, 3: two hits at ranks 1, 2
    assertArrayEquals(new double[] {0.1, 1, 1 / (Math.log(3) / Math.log(2))},
        new double[] {rows.get(0).getDouble(1), rows.get(0).getDouble(2), rows.get(0).getDouble(3)}, 1e-12);
    assertArrayEquals(new double[] {0.2, 1, 1}, new double[] {rows.get(1).getDouble(1), rows.get(1).getDouble(2),
        rows.get(1).getDouble(3)}, 1e-12);
    RankingEngine.Summary summary = RankingEngine.summarize(perUser, new int[] {10});
    assertEquals(2, summary.users());
    assertEquals(0.15, summary.means().get("precision@10"), 1e-12);
  }

  /** Recommendation lists: the first k of a full brute-force sort, with exact (integer-valued) scores. */
  @Test
  void recommendListsTheTopKOfABruteForceSort() {
    SparkSession spark = TestSpark.get();
    Random random = new Random(7);
    int d = 3;
    int[] ids = IntStream.range(0, 30).map(i -> 2 * i + 1).toArray();
    float[][] itemVectors = new float[ids.length][];
    for (int i = 0; i < ids.length; i++) {
      itemVectors[i] = smallInts(d, random);
    }
    StructType schema = new StructType().add("user", DataTypes.IntegerType)
        .add("vector", DataTypes.createArrayType(DataTypes.FloatType))
        .add("exclude", DataTypes.createArrayType(DataTypes.IntegerType));
    List<Row> queries = new ArrayList<>();
    Map<Integer, float[]> vectors = new HashMap<>();
    Map<Integer, int[]> exclusions = new HashMap<>();
    for (int u = 0; u < 11; u++) {
      int[] exclude = IntStream.range(0, random.nextInt(25)).map(i -> ids[random.nextInt(ids.length)]).toArray();
      vectors.put(u, smallInts(d, random));
      exclusions.put(u, exclude);
      queries.add(RowFactory.create(u, boxed(vectors.get(u)), u == 3 ? null : boxed(exclude)));
    }
    exclusions.put(3, new int[0]);
    int k = 8;
    List<Row> rows = RankingEngine.recommend(spark.createDataFrame(queries, schema).repartition(2),
        RankingEngine.broadcast(spark, Candidates.of(ids, itemVectors)), k, 4).collectAsList();

    Map<Integer, List<Row>> byUser = new HashMap<>();
    rows.forEach(r -> byUser.computeIfAbsent(r.getInt(0), x -> new ArrayList<>()).add(r));
    assertEquals(11, byUser.size());
    for (Map.Entry<Integer, List<Row>> e : byUser.entrySet()) {
      float[] user = vectors.get(e.getKey());
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < ids.length; i++) {
        int id = ids[i];
        if (Arrays.stream(exclusions.get(e.getKey())).noneMatch(x -> x == id)) {
          order.add(i);
        }
      }
      double[] score = new double[ids.length];
      for (int i = 0; i < ids.length; i++) {
        for (int j = 0; j < d; j++) {
          score[i] += (double) user[j] * itemVectors[i][j];
        }
      }
      order.sort(Comparator.<Integer>comparingDouble(i -> -score[i]).thenComparingInt(i -> ids[i]));
      List<Row> top = e.getValue().stream().sorted(Comparator.comparingInt(r -> r.getInt(1))).toList();
      assertEquals(Math.min(k, order.size()), top.size(), "user " + e.getKey());
      for (int r = 0; r < top.size(); r++) {
        assertEquals(r + 1, top.get(r).getInt(1));
        assertEquals(ids[order.get(r)], top.get(r).getInt(2), "user " + e.getKey() + " rank " + (r + 1));
        assertEquals(score[order.get(r)], top.get(r).getFloat(3), 0.0);
      }
    }
  }

  /** Full sort of every non-excluded candidate by (score desc, id asc), scores in double. */
  static double[] bruteForce(float[] user, int[] truth, int[] exclude, int[] ids, float[][] items, int[] ks) {
    List<Integer> order = new ArrayList<>();
    double[] score = new double[ids.length];
    for (int i = 0; i < ids.length; i++) {
      for (int k = 0; k < user.length; k++) {
        score[i] += (double) user[k] * items[i][k];
      }
      int id = ids[i];
      if (Arrays.stream(exclude).noneMatch(x -> x == id)) {
        order.add(i);
      }
    }
    order.sort(Comparator.<Integer>comparingDouble(i -> -score[i]).thenComparingInt(i -> ids[i]));
    int[] ranked = order.stream().mapToInt(i -> ids[i]).toArray();
    int[] sortedTruth = Arrays.stream(truth).sorted().distinct().toArray();
    double[] out = new double[3 * ks.length];
    for (int j = 0; j < ks.length; j++) {
      int k = ks[j];
      double hits = 0;
      double dcg = 0;
      for (int r = 0; r < Math.min(k, ranked.length); r++) {
        if (Arrays.binarySearch(sortedTruth, ranked[r]) >= 0) {
          hits++;
          dcg += 1 / (Math.log(r + 2) / Math.log(2));
        }
      }
      double idcg = 0;
      for (int r = 0; r < Math.min(k, sortedTruth.length); r++) {
        idcg += 1 / (Math.log(r + 2) / Math.log(2));
      }
      out[j] = hits / k;
      out[ks.length + j] = hits / sortedTruth.length;
      out[2 * ks.length + j] = dcg / idcg;
    }
    return out;
  }

  static float[] smallInts(int d, Random random) {
    float[] v = new float[d];
    for (int k = 0; k < d; k++) {
      v[k] = random.nextInt(5) - 2;
    }
    return v;
  }

  static Float[] boxed(float[] v) {
    Float[] b = new Float[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = v[i];
    }
    return b;
  }

  static Integer[] boxed(int[] v) {
    return Arrays.stream(v).boxed().toArray(Integer[]::new);
  }

  private static int[] append(int[] a, int x) {
    int[] b = Arrays.copyOf(a, a.length + 1);
    b[a.length] = x;
    return b;
  }

  private static void shuffle(int[] a, Random random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
