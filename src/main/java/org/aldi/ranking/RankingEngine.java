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
 * exclude:array&lt;int&gt;, and for evaluation truth:array&lt;int&gt;) and a broadcast candidate set. Per partition,
 * users are taken in blocks; a block's scores against every candidate come from one matrix product, each user's
 * excluded items are removed and the top K items are selected ({@link TopK}). Evaluation ({@link #perUser})
 * then computes the metrics of every K ({@link RankingMetrics}), one row per user, and the driver only aggregates
 * means; recommendation ({@link #recommend}) writes the ranked items themselves.
 *
 * <p>In evaluation, users with an empty ground truth are dropped (they are not evaluated). Exclusions that are not
 * candidates are ignored.
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
    return queries.select(col("user"), col("vector").cast(Candidates.FLOAT_ARRAY), col("exclude"), col("truth"))
        .where(size(col("truth")).gt(0))
        .mapPartitions(new MetricsRanker(candidates, ks, userBlockSize), Encoders.row(perUserSchema(ks)));
  }

  /** Schema of the recommendations: user, rank (1 = best), item, score (the candidates' dot product). */
  public static StructType recommendationSchema() {
    return new StructType()
        .add("user", DataTypes.IntegerType, false)
        .add("rank", DataTypes.IntegerType, false)
        .add("item", DataTypes.IntegerType, false)
        .add("score", DataTypes.FloatType, false);
  }

  /**
   * The top k candidates of every query (user, vector, exclude), best first, as rows of
   * {@link #recommendationSchema()} (lazy). A user with fewer than k candidates left after exclusion gets fewer
   * rows.
   */
  public static Dataset<Row> recommend(Dataset<Row> queries, Broadcast<Candidates> candidates, int k,
      int userBlockSize) {
    if (k <= 0) {
      throw new IllegalArgumentException("K must be > 0, got " + k);
    }
    return queries.select(col("user"), col("vector").cast(Candidates.FLOAT_ARRAY), col("exclude"))
        .mapPartitions(new ListRanker(candidates, k, userBlockSize), Encoders.row(recommendationSchema()));
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

  /**
   * Ranks blocks of queries (user, vector, exclude, ...) against the candidates; a subclass turns each user's
   * top list into output rows.
   */
  private abstract static class BlockRanker implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<Candidates> candidates;
    private final int k;
    private final int blockSize;

    BlockRanker(Broadcast<Candidates> candidates, int k, int blockSize) {
      if (blockSize <= 0) {
        throw new IllegalArgumentException("user block size must be > 0, got " + blockSize);
      }
      this.candidates = candidates;
      this.k = k;
      this.blockSize = blockSize;
    }

    /**
     * Output rows of one user: top holds candidate item ids, best first; the user's score of candidate index c
     * is scores[offset + c].
     */
    abstract void emit(Row query, int[] top, float[] scores, int offset, Candidates c, ArrayDeque<Row> out);

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
        for (int j = 0; j < d; j++) {
          users[r * d + j] = v.get(j);
        }
      }
      float[] scores = scores(users, b, d);
      BitSet excluded = new BitSet(n);
      for (int r = 0; r < b; r++) {
        Row q = block.get(r);
        excluded.clear();
        if (!q.isNullAt(2)) {
          for (Integer item : q.<Integer>getList(2)) {
            int index = c.indexOf(item);
            if (index >= 0) {
              excluded.set(index);
            }
          }
        }
        emit(q, TopK.select(scores, r * n, c.ids(), excluded, k), scores, r * n, c, out);
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

  /** Evaluation: the metrics of every K from the top max(K) list and the query's truth (column 3). */
  private static final class MetricsRanker extends BlockRanker {
    private static final long serialVersionUID = 1L;
    private final int[] ks;

    MetricsRanker(Broadcast<Candidates> candidates, int[] ks, int blockSize) {
      super(candidates, ks[ks.length - 1], blockSize);
      this.ks = ks;
    }

    @Override
    void emit(Row q, int[] top, float[] scores, int offset, Candidates c, ArrayDeque<Row> out) {
      int[] truth = q.<Integer>getList(3).stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
      double[] metrics = RankingMetrics.compute(top, truth, ks);
      Object[] values = new Object[1 + metrics.length];
      values[0] = q.getInt(0);
      for (int j = 0; j < metrics.length; j++) {
        values[1 + j] = metrics[j];
      }
      out.add(RowFactory.create(values));
    }
  }

  /** Recommendation: one (user, rank, item, score) row per item of the top list. */
  private static final class ListRanker extends BlockRanker {
    private static final long serialVersionUID = 1L;

    ListRanker(Broadcast<Candidates> candidates, int k, int blockSize) {
      super(candidates, k, blockSize);
    }

    @Override
    void emit(Row q, int[] top, float[] scores, int offset, Candidates c, ArrayDeque<Row> out) {
      for (int r = 0; r < top.length; r++) {
        out.add(RowFactory.create(q.getInt(0), r + 1, top[r], scores[offset + c.indexOf(top[r])]));
      }
    }
  }
}
