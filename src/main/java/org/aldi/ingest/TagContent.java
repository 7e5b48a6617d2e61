package org.aldi.ingest;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.mllib.linalg.SparseVector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Content vectors from item tags ("citeulike-tags"): drop rare tags, TF-IDF with L2-normalised rows, truncated SVD
 * to {@code dimension} ({@link RandomizedSvd}), item vector = row of A·V_k (= U_k·Σ_k), then one global scale so
 * that the mean norm over items with a non-zero vector is 1. Everything runs on Spark; the driver holds only
 * tag-sized arrays (the kept-tag index and IDF, the tags x (k + oversampling) sketch).
 */
final class TagContent {
  private static final Logger LOG = LoggerFactory.getLogger(TagContent.class);
  /** Singular values below rcond times the largest are treated as zero (as MLlib's computeSVD). */
  private static final double RCOND = 1e-9;

  /** The vectors (item:int, features:array<float>, has_content:boolean) of every line, and statistics. */
  record Result(Dataset<Row> vectors, Map<String, Object> stats) {}

  private TagContent() {}

  static Result build(SparkSession spark, String path, int minItemFrequency, int dimension, int partitions,
      long seed) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    // item = 0-based line number; zipWithIndex keeps the file order
    JavaPairRDD<Integer, int[]> itemTags = jsc.textFile(path).zipWithIndex()
        .mapToPair(t -> new Tuple2<>(Math.toIntExact(t._2), LineFormat.countedIds(path, t._2, t._1)))
        .repartition(partitions)
        .persist(StorageLevel.MEMORY_AND_DISK());
    long items = itemTags.count();
    long untagged = itemTags.filter(t -> t._2.length == 0).count();

    // document frequency of each tag (an item counts once per tag)
    JavaPairRDD<Integer, Integer> docFreq = itemTags
        .flatMapToPair(t -> Arrays.stream(t._2).distinct().mapToObj(tag -> new Tuple2<>(tag, 1)).iterator())
        .reduceByKey(Integer::sum)
        .persist(StorageLevel.MEMORY_AND_DISK());
    long tagsSeen = docFreq.count();
    // tag-sized: the kept tags in ascending id order become the matrix columns
    List<Tuple2<Integer, Integer>> kept = docFreq.filter(t -> t._2 >= minItemFrequency).sortByKey().collect();
    docFreq.unpersist();
    int maxTag = kept.isEmpty() ? -1 : kept.get(kept.size() - 1)._1;
    int[] column = new int[maxTag + 1];
    Arrays.fill(column, -1);
    double[] idf = new double[kept.size()];
    for (int c = 0; c < kept.size(); c++) {
      column[kept.get(c)._1] = c;
      idf[c] = Math.log((items + 1.0) / (kept.get(c)._2 + 1.0)); // MLlib IDF's smoothed formula
    }
    LOG.info("tags: {} items ({} untagged), {} distinct tags, {} used by >= {} items", items, untagged, tagsSeen,
        kept.size(), minItemFrequency);
    Broadcast<int[]> columnB = jsc.broadcast(column);
    Broadcast<double[]> idfB = jsc.broadcast(idf);

    JavaPairRDD<Integer, SparseVector> rows = itemTags
        .mapValues(tags -> tfidf(tags, columnB.value(), idfB.value()))
        .filter(r -> r._2.numNonzeros() > 0)
        .persist(StorageLevel.MEMORY_AND_DISK());
    long nonEmpty = rows.count();

    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("content_lines", items);
    stats.put("items_with_empty_content", untagged);
    stats.put("items_whose_tags_were_all_dropped", items - untagged - nonEmpty);
    stats.put("tags_distinct", tagsSeen);
    stats.put("tags_kept", kept.size());
    stats.put("min_item_frequency", minItemFrequency);

    JavaPairRDD<Integer, float[]> vectors;
    if (nonEmpty == 0) {
      vectors = JavaPairRDD.fromJavaRDD(jsc.emptyRDD());
      stats.put("svd_rank", 0);
      stats.put("content_scale", 1.0);
    } else {
      int k = Math.min(dimension, kept.size());
      long start = System.nanoTime();
      RandomizedSvd.Result svd = RandomizedSvd.compute(rows, kept.size(), k, seed, RCOND);
      double[] sigma = svd.sigma();
      JavaPairRDD<Integer, double[]> projected = svd.projected().persist(StorageLevel.MEMORY_AND_DISK());
      double meanNorm = projected.values().mapToDouble(TagContent::norm).mean();
      double seconds = (System.nanoTime() - start) / 1e9;
      LOG.info("randomized truncated SVD of the {} x {} TF-IDF matrix ({} non-empty rows): {} of {} singular values "
          + "in {} s", items, kept.size(), nonEmpty, sigma.length, k, String.format("%.1f", seconds));
      double scale = 1.0 / meanNorm;
      vectors = projected.mapValues(v -> scaledFloats(v, scale, dimension));
      stats.put("svd_method", "randomized (oversampling " + RandomizedSvd.OVERSAMPLING + ", power iterations "
          + RandomizedSvd.POWER_ITERATIONS + ", seed aldi.run.seed)");
      stats.put("svd_rank", sigma.length);
      stats.put("svd_seconds", Math.round(seconds * 10) / 10.0);
      stats.put("singular_values_top10", Arrays.copyOf(sigma, Math.min(10, sigma.length)));
      stats.put("content_scale", scale);
    }
    float[] zero = new float[dimension];
    JavaRDD<Row> all = itemTags.leftOuterJoin(vectors).map(t -> {
      boolean present = t._2._2.isPresent();
      return RowFactory.create(t._1, present ? t._2._2.get() : zero, present);
    });
    return new Result(spark.createDataFrame(all, IngestStage.CONTENT_SCHEMA), stats);
  }

  /** TF-IDF of one item's tags over the kept columns, L2-normalised (all-zero when no tag is kept). */
  private static SparseVector tfidf(int[] tags, int[] column, double[] idf) {
    Map<Integer, Double> weights = new java.util.TreeMap<>();
    for (int tag : tags) {
      int c = tag < column.length ? column[tag] : -1;
      if (c >= 0) {
        weights.merge(c, idf[c], Double::sum); // term frequency times idf
      }
    }
    int[] indices = new int[weights.size()];
    double[] values = new double[weights.size()];
    double sumSq = 0;
    int n = 0;
    for (Map.Entry<Integer, Double> e : weights.entrySet()) {
      indices[n] = e.getKey();
      values[n] = e.getValue();
      sumSq += values[n] * values[n];
      n++;
    }
    double norm = Math.sqrt(sumSq);
    for (int i = 0; i < n; i++) {
      values[i] /= norm;
    }
    return new SparseVector(idf.length, indices, values);
  }

  private static double norm(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }

  /** The vector times the scale, as floats, zero-padded to the content dimension when the rank is smaller. */
  private static float[] scaledFloats(double[] v, double scale, int dimension) {
    float[] out = new float[dimension];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] * scale);
    }
    return out;
  }
}
