package org.aldi.ranking;

import java.util.Arrays;

/**
 * Precision@K, Recall@K and NDCG@K of one user, as the reference code computes them (reference code §6):
 * <pre>
 *   Precision@K = hits / K                 (K, even when fewer than K items could be ranked)
 *   Recall@K    = hits / |T|               (|T|, not min(|T|, K))
 *   NDCG@K      = DCG / IDCG, DCG = sum_{r=1..K} rel_r / log2(r + 1), IDCG = sum_{r=1..min(|T|,K)} 1 / log2(r + 1)
 * </pre>
 * where T is the user's ground truth and rel_r = 1 when the item at rank r is in T. The reference code adds 1e-9
 * inside the logarithm; that changes NDCG by about 1e-9 and is left out. A user with an empty ground truth is not
 * evaluated at all (the reference code's user lists hold only users with ground truth): passing one is an error.
 */
public final class RankingMetrics {
  /** Metric names, in the order of {@link #compute}'s output and of the output columns. */
  public static final String[] NAMES = {"precision", "recall", "ndcg"};

  private RankingMetrics() {}

  /** One user's metrics at one cut-off. */
  public record Values(double precision, double recall, double ndcg) {}

  /** The key of a metric at a cut-off in metrics.json, e.g. "ndcg@20". */
  public static String key(String name, int k) {
    return name + "@" + k;
  }

  /** The column name of a metric at a cut-off in per-user datasets, e.g. "ndcg_at_20" (no '@' in columns). */
  public static String column(String name, int k) {
    return name + "_at_" + k;
  }

  /**
   * Metrics at cut-off k.
   *
   * @param ranked the ranked list, best first, distinct ids; only its first k entries count (it may be shorter)
   * @param sortedTruth the ground truth: distinct ids in ascending order, not empty
   */
  public static Values at(int[] ranked, int[] sortedTruth, int k) {
    if (sortedTruth.length == 0) {
      throw new IllegalArgumentException("a user with an empty ground truth is not evaluated");
    }
    if (k <= 0) {
      throw new IllegalArgumentException("K must be > 0, got " + k);
    }
    int hits = 0;
    double dcg = 0;
    for (int r = 0; r < Math.min(k, ranked.length); r++) {
      if (Arrays.binarySearch(sortedTruth, ranked[r]) >= 0) {
        hits++;
        dcg += 1.0 / log2(r + 2);
      }
    }
    double idcg = 0;
    for (int r = 0; r < Math.min(k, sortedTruth.length); r++) {
      idcg += 1.0 / log2(r + 2);
    }
    return new Values((double) hits / k, (double) hits / sortedTruth.length, dcg / idcg);
  }

  /**
   * Metrics at every cut-off, laid out as the output columns: precision at ks[0..], then recall, then NDCG.
   */
  public static double[] compute(int[] ranked, int[] sortedTruth, int[] ks) {
    double[] out = new double[NAMES.length * ks.length];
    for (int j = 0; j < ks.length; j++) {
      Values v = at(ranked, sortedTruth, ks[j]);
      out[j] = v.precision();
      out[ks.length + j] = v.recall();
      out[2 * ks.length + j] = v.ndcg();
    }
    return out;
  }

  private static double log2(int x) {
    return Math.log(x) / Math.log(2);
  }
}
