package org.aldi.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aldi.config.Settings;
import org.aldi.ranking.TopK;
import org.aldi.store.RunFolder;
import org.aldi.store.SeededHash;
import org.aldi.store.StageOutput;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A seeded synthetic data set in the project's input schemas, shaped like XING by default (106,881 users,
 * 20,519 items, about 3.9M interactions, 2,738 sparse binary content attributes). The recipe, all of it drawn
 * from {@link SeededHash} so that it does not depend on partitioning:
 * <ol>
 *   <li>Latent taste: every user u and item i gets a vector z_u, z_i ~ N(0, I) of dimension latent-dimension;
 *       every content attribute a gets a direction z_a ~ N(0, I).
 *   <li>Item popularity follows a power law: the items are put in a seeded random order and the item at rank
 *       r (1-based) gets popularity weight r^(-popularity-exponent), independent of its taste.
 *   <li>Item content: item i sets m_i = attributes-min + Poisson(attributes-mean - attributes-min) binary
 *       attributes, drawn without replacement with probability proportional to exp(content-signal * z_a . z_i)
 *       (Gumbel top-m): the attributes carry the item's taste, so cold-start is learnable.
 *   <li>User activity follows a power law above a floor: n_u = min-user-interactions + floor of a Pareto
 *       variable with shape activity-shape and mean mean-user-interactions - min-user-interactions.
 *   <li>Interactions: user u picks n_u distinct items, item i with probability proportional to
 *       popularity_i * exp(taste-signal * z_u . z_i / sqrt(latent-dimension)) (Gumbel top-n_u over all items).
 * </ol>
 * Writes, under aldi.generate.dir, the stage "source": interactions (user, item) and item_content (item,
 * features: a sparse ml Vector) in the "parquet" formats of data-schemas/source.*.json, and recipe.json
 * (parameters and counts).
 */
public final class SyntheticData {
  /** Name of the output folder under aldi.generate.dir. */
  public static final String SOURCE = "source";

  private static final Logger LOG = LoggerFactory.getLogger(SyntheticData.class);
  private static final long SALT_USER_TASTE = 0x6E1;
  private static final long SALT_ITEM_TASTE = 0x6E2;
  private static final long SALT_ATTRIBUTE = 0x6E3;
  private static final long SALT_POPULARITY = 0x6E4;
  private static final long SALT_CONTENT = 0x6E5;
  private static final long SALT_ACTIVITY = 0x6E6;
  private static final long SALT_PICK = 0x6E7;

  private SyntheticData() {}

  public static void generate(SparkSession spark, Settings settings) {
    Settings.Generate g = settings.generate;
    long seed = settings.run.seed;
    RunFolder folder = new RunFolder(spark, g.dir);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());

    // item-sized tables, made on the driver and broadcast
    float[] itemTaste = gaussianRows(seed, SALT_ITEM_TASTE, g.items, g.latentDimension);
    float[] attributeTaste = gaussianRows(seed, SALT_ATTRIBUTE, g.contentDimension, g.latentDimension);
    double[] logPopularity = logPopularity(seed, g.items, g.popularityExponent);
    Broadcast<float[]> itemsB = jsc.broadcast(itemTaste);
    Broadcast<double[]> popularityB = jsc.broadcast(logPopularity);
    Broadcast<float[]> attributesB = jsc.broadcast(attributeTaste);

    StructType interactionSchema = new StructType()
        .add("user", DataTypes.IntegerType, false).add("item", DataTypes.IntegerType, false);
    JavaRDD<Row> interactions = spark.range(0, g.users, 1, settings.spark.partitions).as(Encoders.LONG()).javaRDD()
        .flatMap(user -> {
          int[] picked = interactionsOf(seed, user, g, itemsB.value(), popularityB.value());
          List<Row> rows = new ArrayList<>(picked.length);
          for (int item : picked) {
            rows.add(RowFactory.create((int) (long) user, item));
          }
          return rows.iterator();
        });

    // sparse binary content: an ml SparseVector, stored in Parquet as its indices and values only
    StructType contentSchema = new StructType().add("item", DataTypes.IntegerType, false)
        .add("features", new VectorUDT(), false);
    JavaRDD<Row> content = spark.range(0, g.items, 1, settings.spark.partitions).as(Encoders.LONG()).javaRDD()
        .map(item -> {
          int[] set = attributesOf(seed, (int) (long) item, g, itemsB.value(), attributesB.value());
          double[] ones = new double[set.length];
          Arrays.fill(ones, 1.0);
          return RowFactory.create((int) (long) item, Vectors.sparse(g.contentDimension, set, ones));
        });

    StageOutput.write(folder, SOURCE, settings, out -> {
      long rows = out.writeParquet("interactions", spark.createDataFrame(interactions, interactionSchema));
      Dataset<Row> contentRows = spark.createDataFrame(content, contentSchema);
      out.writeParquet("item_content", contentRows);
      Map<String, Object> recipe = new LinkedHashMap<>();
      recipe.put("seed", seed);
      recipe.put("users", g.users);
      recipe.put("items", g.items);
      recipe.put("interactions", rows);
      recipe.put("content_dimension", g.contentDimension);
      recipe.put("latent_dimension", g.latentDimension);
      recipe.put("popularity_exponent", g.popularityExponent);
      recipe.put("taste_signal", g.tasteSignal);
      recipe.put("content_signal", g.contentSignal);
      recipe.put("min_user_interactions", g.minUserInteractions);
      recipe.put("mean_user_interactions", g.meanUserInteractions);
      recipe.put("activity_shape", g.activityShape);
      recipe.put("attributes_min", g.attributesMin);
      recipe.put("attributes_mean", g.attributesMean);
      out.writeJson("recipe.json", recipe);
      LOG.info("synthetic data: {} users, {} items, {} interactions, {}-d binary content, written to {}/{}",
          g.users, g.items, rows, g.contentDimension, g.dir, SOURCE);
    });
    itemsB.destroy();
    popularityB.destroy();
    attributesB.destroy();
  }

  /** The distinct items of one user (step 5). */
  static int[] interactionsOf(long seed, long user, Settings.Generate g, float[] itemTaste, double[] logPopularity) {
    int k = g.latentDimension;
    float[] taste = gaussianRows(seed, SALT_USER_TASTE, user, 1, k);
    double scale = g.tasteSignal / Math.sqrt(k);
    int n = g.items;
    float[] keys = new float[n];
    for (int i = 0; i < n; i++) {
      double dot = 0;
      for (int j = 0; j < k; j++) {
        dot += taste[j] * itemTaste[i * k + j];
      }
      keys[i] = (float) (logPopularity[i] + scale * dot + gumbel(SeededHash.hash(seed, SALT_PICK, user, i)));
    }
    return topIndices(keys, Math.min(activity(seed, user, g), n));
  }

  /** The set attributes of one item (step 3). */
  static int[] attributesOf(long seed, int item, Settings.Generate g, float[] itemTaste, float[] attributeTaste) {
    int k = g.latentDimension;
    int n = g.contentDimension;
    float[] keys = new float[n];
    for (int a = 0; a < n; a++) {
      double dot = 0;
      for (int j = 0; j < k; j++) {
        dot += attributeTaste[a * k + j] * itemTaste[item * k + j];
      }
      keys[a] = (float) (g.contentSignal * dot / Math.sqrt(k) + gumbel(SeededHash.hash(seed, SALT_CONTENT, item, a)));
    }
    int m = g.attributesMin + poisson(SeededHash.hash(seed, SALT_CONTENT, item, -1),
        g.attributesMean - g.attributesMin);
    return topIndices(keys, Math.min(m, n));
  }

  /** n_u of step 4: the floor plus a Pareto(shape) variable scaled to the wanted mean. */
  static int activity(long seed, long user, Settings.Generate g) {
    double u = 1 - SeededHash.unit(SeededHash.hash(seed, SALT_ACTIVITY, user)); // (0, 1]
    double shape = g.activityShape;
    // Pareto with x_m = 1: X = u^(-1/shape), mean shape/(shape-1); X - 1 has mean 1/(shape-1)
    double extra = (Math.pow(u, -1 / shape) - 1) * (shape - 1) * (g.meanUserInteractions - g.minUserInteractions);
    return g.minUserInteractions + (int) Math.min(Math.floor(extra), Integer.MAX_VALUE / 2);
  }

  /** log of r^(-exponent) for the item at rank r of a seeded random order (step 2). */
  static double[] logPopularity(long seed, int items, double exponent) {
    float[] keys = new float[items];
    for (int i = 0; i < items; i++) {
      keys[i] = (float) SeededHash.unit(SeededHash.hash(seed, SALT_POPULARITY, i));
    }
    int[] order = TopK.select(keys, 0, identity(items), null, items); // a seeded random order
    double[] log = new double[items];
    for (int rank = 0; rank < items; rank++) {
      log[order[rank]] = -exponent * Math.log(rank + 1);
    }
    return log;
  }

  /** Rows 0..rows-1 of independent standard normal entries, row-major. */
  static float[] gaussianRows(long seed, long salt, int rows, int dim) {
    float[] x = new float[rows * dim];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(gaussianRows(seed, salt, r, 1, dim), 0, x, r * dim, dim);
    }
    return x;
  }

  private static float[] gaussianRows(long seed, long salt, long row, int rows, int dim) {
    float[] x = new float[rows * dim];
    for (int j = 0; j < x.length; j++) {
      // Box-Muller from two seeded uniforms
      double u1 = 1 - SeededHash.unit(SeededHash.hash(seed, salt, row, j, 0));
      double u2 = SeededHash.unit(SeededHash.hash(seed, salt, row, j, 1));
      x[j] = (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
    }
    return x;
  }

  /** A standard Gumbel variable: -log(-log U). */
  private static double gumbel(long hash) {
    double u = SeededHash.unit(hash);
    return -Math.log(-Math.log(u == 0 ? Double.MIN_NORMAL : u));
  }

  /** A Poisson(mean) variable by inversion (mean is a few dozen at most). */
  static int poisson(long hash, double mean) {
    double u = SeededHash.unit(hash);
    double p = Math.exp(-mean);
    double cdf = p;
    int k = 0;
    while (u > cdf && k < 10 * mean + 100) {
      k++;
      p *= mean / k;
      cdf += p;
    }
    return k;
  }

  /** Indices 0..n-1 of the m largest keys, ascending (the project's deterministic top-K). */
  static int[] topIndices(float[] keys, int m) {
    int[] top = TopK.select(keys, 0, identity(keys.length), null, m);
    Arrays.sort(top);
    return top;
  }

  private static int[] identity(int n) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = i;
    }
    return ids;
  }
}
