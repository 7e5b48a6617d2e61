package org.aldi.ranking;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Distributed full ranking (reference code §6). Input: user queries (user:int, vector:array&lt;float&gt;,
 * truth:array&lt;int&gt;, exclude:array&lt;int&gt;) and a broadcast candidate set. Per partition, users are taken in
 * blocks; a block's scores against every candidate come from one matrix product, each user's excluded items are
 * removed, the top max(K) items are selected ({@link TopK}) and the metrics of every K computed
 * ({@link RankingMetrics}). The output has one row per user; the driver only aggregates means.
 *
 * <p>Users with an empty ground truth are dropped (they are not evaluated). Exclusions that are not candidates
 * are ignored.
 */
public final class RankingEngine {
  /** Candidate matrices per executor JVM, keyed by broadcast id; the last few are kept (one per recent call). */
  private static final Map<Long, INDArray> MATRICES = new LinkedHashMap<>(8, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, INDArray> eldest) {
      return size() > 4;
    }
  };

  private RankingEngine() {}

  /** Means of each metric ("precision@20", ...) over the users, and how many users were averaged. */
  public record Summary(Map<String, Double> means, long users) {}

  public static Broadcast<Candidates> broadcast(SparkSession spark, Candidates candidates) {
    return JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(candidates);
  }

  /** Schema of the per-user output: user, then precision, recall and NDCG at every K (see {@link RankingMetrics}). */
  public static StructType perUserSchema(int[] ks) {
    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField("user", DataTypes.IntegerType, false));
    for (String name : RankingMetrics.NAMES) {
      for (int k : ks) {
        fields.add(DataTypes.createStructField(RankingMetrics.column(name, k), DataTypes.DoubleType, false));
      }
    }
    return DataTypes.createStructType(fields);
  }

  /**
   * Per-user metrics (lazy).
   *
   * @param ks ascending distinct positive cut-offs
   */
  public static Dataset<Row> perUser(Dataset<Row> queries, Broadcast<Candidates> candidates, int[] ks,
      int userBlockSize) {
    for (int j = 0; j < ks.length; j++) {
      if (ks[j] <= 0 || (j > 0 && ks[j] <= ks[j - 1])) {
        throw new IllegalArgumentException("cut-offs must be positive and ascending: " + Arrays.toString(ks));
      }
    }
    if (userBlockSize <= 0) {
      throw new IllegalArgumentException("user block size must be > 0, got " + userBlockSize);
    }
    return queries.select(col("user"), col("vector").cast(Candidates.FLOAT_ARRAY), col("truth"), col("exclude"))
        .where(size(col("truth")).gt(0))
        .mapPartitions(new Ranker(candidates, ks, userBlockSize), Encoders.row(perUserSchema(ks)));
  }

  /** Means over the per-user rows, by Spark aggregation; NaN means when there are no users. */
  public static Summary summarize(Dataset<Row> perUser, int[] ks) {
    List<Column> aggs = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (String name : RankingMetrics.NAMES) {
      for (int k : ks) {
        aggs.add(avg(col(RankingMetrics.column(name, k))));
        keys.add(RankingMetrics.key(name, k));
      }
    }
    aggs.add(count(lit(1)));
    Row row = perUser.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).first();
    Map<String, Double> means = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      means.put(keys.get(i), row.isNullAt(i) ? Double.NaN : row.getDouble(i));
    }
    return new Summary(means, row.getLong(keys.size()));
  }

  /** The (items x dim) candidate matrix of a broadcast, created once per executor JVM. */
  private static INDArray matrix(Broadcast<Candidates> broadcast) {
    synchronized (MATRICES) {
      return MATRICES.computeIfAbsent(broadcast.id(), id -> {
        Candidates c = broadcast.value();
        return Nd4j.create(c.vectors(), new long[] {c.size(), c.dim()}, 'c');
      });
    }
  }

  private static final class Ranker implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<Candidates> candidates;
    private final int[] ks;
    private final int blockSize;

    Ranker(Broadcast<Candidates> candidates, int[] ks, int blockSize) {
      this.candidates = candidates;
      this.ks = ks;
      this.blockSize = blockSize;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> queries) {
      return new Iterator<>() {
        private final ArrayDeque<Row> ready = new ArrayDeque<>();

        @Override
        public boolean hasNext() {
          while (ready.isEmpty() && queries.hasNext()) {
            List<Row> block = new ArrayList<>(blockSize);
            while (block.size() < blockSize && queries.hasNext()) {
              block.add(queries.next());
            }
            rankBlock(block, ready);
          }
          return !ready.isEmpty();
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          return ready.poll();
        }
      };
    }

    private void rankBlock(List<Row> block, ArrayDeque<Row> out) {
      Candidates c = candidates.value();
      int n = c.size();
      int d = c.dim();
      int b = block.size();
      float[] users = new float[b * d];
      for (int r = 0; r < b; r++) {
        List<Float> v = block.get(r).getList(1);
        if (v.size() != d) {
          throw new IllegalArgumentException("user " + block.get(r).getInt(0) + " has a " + v.size()
              + "-d vector, the candidates " + d + "-d");
        }
        for (int k = 0; k < d; k++) {
          users[r * d + k] = v.get(k);
        }
      }
      float[] scores = scores(users, b, d);
      int maxK = ks[ks.length - 1];
      BitSet excluded = new BitSet(n);
      for (int r = 0; r < b; r++) {
        Row q = block.get(r);
        excluded.clear();
        if (!q.isNullAt(3)) {
          for (Integer item : q.<Integer>getList(3)) {
            int index = c.indexOf(item);
            if (index >= 0) {
              excluded.set(index);
            }
          }
        }
        int[] top = TopK.select(scores, r * n, c.ids(), excluded, maxK);
        int[] truth = q.<Integer>getList(2).stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
        double[] metrics = RankingMetrics.compute(top, truth, ks);
        Object[] values = new Object[1 + metrics.length];
        values[0] = q.getInt(0);
        for (int j = 0; j < metrics.length; j++) {
          values[1 + j] = metrics[j];
        }
        out.add(RowFactory.create(values));
      }
    }

    /** The block's (b x n) row-major score matrix: users (b x d) times candidates (n x d) transposed. */
    private float[] scores(float[] users, int b, int d) {
      if (candidates.value().size() == 0) {
        return new float[0];
      }
      INDArray items = matrix(candidates);
      try (INDArray u = Nd4j.create(users, new long[] {b, d}, 'c');
          INDArray s = u.mmul(items.transpose())) {
        return s.ordering() == 'c' ? s.data().asFloat() : s.dup('c').data().asFloat();
      }
    }
  }
}
