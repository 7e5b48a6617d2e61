package org.aldi.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.aldi.config.ConfigLoader;
import org.aldi.config.Settings;
import org.aldi.store.RunFolder;
import org.aldi.testing.TestSpark;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The synthetic generator: shape, determinism, and that content and choices really follow the hidden taste. */
class SyntheticDataTest {
  private static final long SEED = 7;

  private static Settings settings(Path dir, String... more) {
    List<String> overrides = new java.util.ArrayList<>(List.of("generate.dir=\"" + dir + "\"", "generate.users=300",
        "generate.items=400", "generate.content-dimension=120", "generate.min-user-interactions=10",
        "generate.mean-user-interactions=14", "generate.attributes-min=4", "generate.attributes-mean=10",
        "run.seed=" + SEED, "spark.partitions=2"));
    overrides.addAll(List.of(more));
    return ConfigLoader.load(List.of(), overrides);
  }

  @Test
  void writesDistinctInteractionsAndBinaryContentDeterministically(@TempDir Path dir) {
    SparkSession spark = TestSpark.get();
    Settings s = settings(dir);
    SyntheticData.generate(spark, s);
    RunFolder folder = new RunFolder(spark, dir.toString());
    Dataset<Row> interactions = folder.read(SyntheticData.SOURCE, "interactions");
    long rows = interactions.count();
    assertEquals(rows, interactions.distinct().count(), "no duplicate (user, item) pairs");
    long minPerUser = interactions.groupBy("user").count().agg(org.apache.spark.sql.functions.min("count"))
        .first().getLong(0);
    assertEquals(300, interactions.select("user").distinct().count());
    assertTrue(minPerUser >= 10, "every user has at least min-user-interactions, min " + minPerUser);
    double mean = rows / 300.0;
    assertTrue(mean > 12 && mean < 16.5, "mean interactions per user " + mean + ", configured 14");

    Dataset<Row> content = folder.read(SyntheticData.SOURCE, "item_content");
    assertEquals(400, content.count());
    for (Row r : content.collectAsList()) {
      Vector f = r.getAs(1);
      assertTrue(f instanceof SparseVector, "content is written sparse");
      assertEquals(120, f.size());
      long set = Arrays.stream(f.toArray()).filter(x -> x == 1.0).count();
      assertEquals(set, f.numNonzeros(), "binary content");
      assertTrue(set >= 4, "at least attributes-min attributes, item " + r.getInt(0));
    }

    // same seed, same data
    Path again = dir.resolve("again");
    SyntheticData.generate(spark, settings(again));
    Dataset<Row> second = new RunFolder(spark, again.toString()).read(SyntheticData.SOURCE, "interactions");
    assertEquals(0, interactions.except(second).count() + second.except(interactions).count());
  }

  @Test
  void contentAndChoicesFollowTheHiddenTaste() {
    Settings s = settings(Path.of("unused"));
    Settings.Generate g = s.generate;
    float[] items = SyntheticData.gaussianRows(SEED, 0x6E2, g.items, g.latentDimension);
    float[] attributes = SyntheticData.gaussianRows(SEED, 0x6E3, g.contentDimension, g.latentDimension);
    double[] popularity = SyntheticData.logPopularity(SEED, g.items, g.popularityExponent);

    // items whose attributes overlap have similar taste: correlation of Jaccard overlap and taste cosine
    int[][] sets = new int[g.items][];
    for (int i = 0; i < g.items; i++) {
      sets[i] = SyntheticData.attributesOf(SEED, i, g, items, attributes);
    }
    assertTrue(correlation(sets, items, g.latentDimension) > 0.3,
        "content carries taste: " + correlation(sets, items, g.latentDimension));
    Settings.Generate blind = settings(Path.of("unused"), "generate.content-signal=0").generate;
    int[][] blindSets = new int[g.items][];
    for (int i = 0; i < g.items; i++) {
      blindSets[i] = SyntheticData.attributesOf(SEED, i, blind, items, attributes);
    }
    assertTrue(Math.abs(correlation(blindSets, items, g.latentDimension)) < 0.1, "content-signal 0 carries none");

    // popular items are chosen more often: the top tenth by weight takes far more than a tenth of the choices
    int[] chosen = new int[g.items];
    long total = 0;
    for (int u = 0; u < g.users; u++) {
      int[] picked = SyntheticData.interactionsOf(SEED, u, g, items, popularity);
      assertEquals(picked.length, Arrays.stream(picked).distinct().count());
      for (int i : picked) {
        chosen[i]++;
        total++;
      }
    }
    long top = 0;
    for (int i = 0; i < g.items; i++) {
      if (popularity[i] >= -g.popularityExponent * Math.log(g.items / 10.0)) {
        top += chosen[i];
      }
    }
    assertTrue(top > 0.2 * total, "top tenth of items by popularity got " + top + " of " + total);
  }

  @Test
  void activityHasTheConfiguredFloorAndMean() {
    Settings.Generate g = settings(Path.of("unused"), "generate.users=20000").generate;
    double sum = 0;
    int min = Integer.MAX_VALUE;
    for (int u = 0; u < g.users; u++) {
      int n = SyntheticData.activity(SEED, u, g);
      sum += n;
      min = Math.min(min, n);
    }
    assertEquals(10, min);
    // floor() takes about 0.5 off the continuous mean
    assertEquals(14 - 0.5, sum / g.users, 0.3);
    assertArrayEquals(new int[] {1, 3}, SyntheticData.topIndices(new float[] {0f, 5f, 1f, 5f}, 2));
  }

  /** Pearson correlation over item pairs (i, i+1..i+5) of attribute Jaccard and taste cosine. */
  private static double correlation(int[][] sets, float[] taste, int k) {
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    int n = 0;
    for (int i = 0; i < sets.length; i++) {
      for (int j = i + 1; j < Math.min(sets.length, i + 6); j++) {
        int[] other = sets[j];
        long common = Arrays.stream(sets[i]).filter(a -> Arrays.binarySearch(other, a) >= 0).count();
        double x = common / (double) (sets[i].length + sets[j].length - common);
        double dot = 0, ni = 0, nj = 0;
        for (int d = 0; d < k; d++) {
          dot += taste[i * k + d] * taste[j * k + d];
          ni += taste[i * k + d] * taste[i * k + d];
          nj += taste[j * k + d] * taste[j * k + d];
        }
        double y = dot / Math.sqrt(ni * nj);
        sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
        n++;
      }
    }
    double cov = sxy / n - sx / n * sy / n;
    return cov / Math.sqrt((sxx / n - sx / n * sx / n) * (syy / n - sy / n * sy / n));
  }
}
