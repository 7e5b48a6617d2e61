package org.aldi.ranking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.aldi.config.Settings;
import org.aldi.evaluate.EvaluateStage;
import org.aldi.ranking.ColdStartEvaluator.Part;
import org.aldi.ranking.ColdStartEvaluator.Task;
import org.aldi.store.RunFolder;
import org.aldi.store.StageOutput;
import java.util.List;
import java.util.Random;
import org.aldi.testing.TestSpark;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Wall times at CiteULike size: the engine alone, and the eval stage plus repeated validation calls on the paper's
 * split. Off by default; run with
 * {@code mvn -q -B test -Dtest=RankingEngineBenchmarkTest -Dbench.ranking=true}. It prints timings and asserts
 * nothing about them (only the user counts of the paper split).
 */
@EnabledIfSystemProperty(named = "bench.ranking", matches = "true")
class RankingEngineBenchmarkTest {
  /** 5,551 users x 16,980 items, d = 400 (the stacked Eq. 9 vectors), about 37 exclusions per user. */
  @Test
  void citeULikeSizeRanking() {
    SparkSession spark = TestSpark.get();
    Random random = new Random(1);
    int users = 5551;
    int items = 16980;
    int d = Integer.getInteger("bench.dim", 400);
    int[] ids = new int[items];
    float[][] vectors = new float[items][];
    for (int i = 0; i < items; i++) {
      ids[i] = i;
      vectors[i] = gaussian(d, random);
    }
    List<Row> queries = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      int[] truth = random.ints(1 + random.nextInt(10), 0, items).distinct().toArray();
      int[] exclude = random.ints(37, 0, items).filter(i -> Arrays.stream(truth).noneMatch(t -> t == i))
          .distinct().toArray();
      queries.add(RowFactory.create(u, RankingEngineTest.boxed(gaussian(d, random)), RankingEngineTest.boxed(truth),
          RankingEngineTest.boxed(exclude)));
    }
    Dataset<Row> input = spark.createDataFrame(queries, RankingEngineTest.QUERY).repartition(4).cache();
    input.count();
    int[] ks = {20};
    int block = Integer.getInteger("bench.block", 512);
    for (int run = 0; run < 3; run++) {
      long start = System.nanoTime();
      Broadcast<Candidates> candidates = RankingEngine.broadcast(spark, Candidates.of(ids, vectors));
      RankingEngine.Summary s = RankingEngine.summarize(RankingEngine.perUser(input, candidates, ks, block), ks);
      System.out.printf("BENCHMARK run %d: %d users x %d items x d=%d, block %d: %.2f s (ndcg@20 %.4f)%n", run,
          s.users(), items, d, block, (System.nanoTime() - start) / 1e9, s.means().get("ndcg@20"));
      assertEquals(users, s.users());
    }
  }

  /**
   * The whole eval stage and repeated cold-validation calls on the paper's CiteULike split with random 200-d
   * teacher and student vectors. The user counts are the reference code's (§1.5); timings are printed.
   */
  @Test
  void paperSplitStageAndValidationCalls() throws Exception {
    SparkSession spark = TestSpark.get();
    String dir = Files.createTempDirectory("aldi-bench").toString();
    Settings settings = TinyRun.settings(dir, "evaluate.k=[20]");
    RunFolder run = new RunFolder(spark, dir);
    String base = "src/main/data/citeulike-a/paper-split/";
    StructType pairs = new StructType().add("user", DataTypes.IntegerType).add("item", DataTypes.IntegerType);
    StageOutput split = StageOutput.begin(run, RunFolder.SPLIT, settings);
    String[][] parts = {{"train", "warm_emb"}, {"warm_val", "warm_val"}, {"warm_test", "warm_test"},
        {"cold_val", "cold_item_val"}, {"cold_test", "cold_item_test"}};
    for (String[] part : parts) {
      split.writeParquet(part[0], spark.read().option("header", "true").schema(pairs).csv(base + part[1] + ".csv.gz"));
    }
    Dataset<Row> train = spark.read().option("header", "true").schema(pairs).csv(base + "warm_emb.csv.gz");
    Dataset<Row> roles = train.select(col("item"), lit("warm").as("role"))
        .union(spark.read().option("header", "true").schema(pairs).csv(base + "cold_item_val.csv.gz")
            .select(col("item"), lit("cold_val").as("role")))
        .union(spark.read().option("header", "true").schema(pairs).csv(base + "cold_item_test.csv.gz")
            .select(col("item"), lit("cold_test").as("role")))
        .distinct();
    split.writeParquet("item_role", roles);
    split.commit();
    Random random = new Random(3);
    int[] warmItems = train.select("item").distinct().collectAsList().stream().mapToInt(r -> r.getInt(0)).toArray();
    StageOutput backbone = StageOutput.begin(run, RunFolder.BACKBONE, settings);
    backbone.writeParquet("user_factors",
        TinyRun.vectors(spark, "id", "features", randomVectors(0, 5551, 200, random)));
    backbone.writeParquet("item_factors",
        TinyRun.vectors(spark, "id", "features", randomVectors(warmItems, 200, random)));
    backbone.commit();
    StageOutput model = StageOutput.begin(run, RunFolder.MODEL, settings);
    model.writeParquet("student_users", TinyRun.vectors(spark, "user", "vector", randomVectors(0, 5551, 200, random)));
    model.writeParquet("student_items", TinyRun.vectors(spark, "item", "vector", randomVectors(0, 16980, 200, random)));
    model.commit();

    long start = System.nanoTime();
    new EvaluateStage().run(run, settings);
    System.out.printf("BENCHMARK eval stage on the paper split (all test users): %.1f s%n",
        (System.nanoTime() - start) / 1e9);
    JsonNode users = run.readJson(RunFolder.EVAL, "users.json");
    assertEquals(4085, users.get("overall").asInt());
    assertEquals(4591, users.get("warm").asInt());
    assertEquals(4846, users.get("cold").asInt());

    try (ColdStartEvaluator evaluator = new ColdStartEvaluator(ColdStartEvaluator.Split.read(run), settings)) {
      Dataset<Row> su = run.read(RunFolder.MODEL, "student_users");
      Dataset<Row> si = run.read(RunFolder.MODEL, "student_items");
      for (int call = 0; call < 4; call++) {
        long t = System.nanoTime();
        ColdStartEvaluator.Evaluation e = evaluator.evaluate(Task.COLD, Part.VAL, null, null, su, si, new int[] {20});
        System.out.printf("BENCHMARK evaluate(COLD, VAL) call %d: %d users, %.2f s%n", call, e.users(),
            (System.nanoTime() - t) / 1e9);
        assertEquals(4801, e.users());
      }
    }
  }

  private static Map<Integer, float[]> randomVectors(int from, int to, int d, Random random) {
    return randomVectors(IntStream.range(from, to).toArray(), d, random);
  }

  private static Map<Integer, float[]> randomVectors(int[] ids, int d, Random random) {
    Map<Integer, float[]> out = new TreeMap<>();
    for (int id : ids) {
      out.put(id, gaussian(d, random));
    }
    return out;
  }

  private static float[] gaussian(int d, Random random) {
    float[] v = new float[d];
    for (int k = 0; k < d; k++) {
      v[k] = (float) random.nextGaussian();
    }
    return v;
  }
}
