package org.aldi.store;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Seeded, order-independent randomness: every random choice of the pipeline is a hash of (seed, salt, ids),
 * so it does not depend on Spark's row order, partitioning or retries. The mixer is SplitMix64's finaliser.
 * Each use picks its own salt, so that two choices about the same ids are independent.
 */
public final class SeededHash {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private SeededHash() {}

  /** SplitMix64 finaliser: a bijection of 64-bit values with good avalanche. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Hash of the seed, a salt naming the use, and any number of ids. */
  public static long hash(long seed, long salt, long... ids) {
    long h = mix(mix(seed + GOLDEN) ^ salt);
    for (long id : ids) {
      h = mix(h ^ mix(id + GOLDEN));
    }
    return h;
  }

  /** A uniform double in [0, 1) from a hash (its top 53 bits). */
  public static double unit(long hash) {
    return (hash >>> 11) * 0x1.0p-53;
  }

  /** A uniform int in [0, n) from a hash (multiply-shift on its top 31 bits; n must be positive). */
  public static int below(long hash, int n) {
    return (int) (((hash >>> 33) * n) >>> 31);
  }

  /** Column unit(hash(seed, salt, a, b)): a seeded uniform double in [0, 1) per pair of ids. */
  public static Column unitColumn(long seed, long salt, Column a, Column b) {
    UserDefinedFunction f =
        functions.udf((UDF2<Long, Long, Double>) (x, y) -> unit(hash(seed, salt, x, y)), DataTypes.DoubleType);
    return f.apply(a.cast(DataTypes.LongType), b.cast(DataTypes.LongType));
  }
}
