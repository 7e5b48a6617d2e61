package org.aldi.report;

import java.util.Arrays;
import java.util.List;

/**
 * Counts of one series in equal-width bins over [lo, hi]: bin k holds lo + k w &lt;= x &lt; lo + (k + 1) w, with
 * w = (hi - lo) / bins, and the last bin also holds x = hi. Values below lo or above hi are counted apart.
 */
public record Histogram(double lo, double hi, long[] counts, long below, long above) {

  public static Histogram of(double[] values, double lo, double hi, int bins) {
    if (!(hi > lo) || bins <= 0) {
      throw new IllegalArgumentException("need lo < hi and bins > 0, got [" + lo + ", " + hi + "], " + bins);
    }
    long[] counts = new long[bins];
    long below = 0;
    long above = 0;
    double width = (hi - lo) / bins;
    for (double x : values) {
      if (!Double.isFinite(x)) {
        throw new IllegalArgumentException("not a finite value: " + x);
      }
      if (x < lo) {
        below++;
      } else if (x > hi) {
        above++;
      } else {
        counts[Math.min(bins - 1, (int) ((x - lo) / width))]++;
      }
    }
    return new Histogram(lo, hi, counts, below, above);
  }

  /**
   * A common range for several series: the pooled values' quantiles at tail and 1 - tail (nearest rank on the
   * sorted values, index round(q (n - 1))), so that a few outliers do not squeeze the plot; widened by 0.5 on
   * each side when all values are equal.
   */
  public static double[] range(List<double[]> series, double tail) {
    double[] pooled = series.stream().flatMapToDouble(Arrays::stream).sorted().toArray();
    if (pooled.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    double lo = pooled[(int) Math.round(tail * (pooled.length - 1))];
    double hi = pooled[(int) Math.round((1 - tail) * (pooled.length - 1))];
    return hi > lo ? new double[] {lo, hi} : new double[] {lo - 0.5, hi + 0.5};
  }

  public double width() {
    return (hi - lo) / counts.length;
  }

  public long total() {
    return Arrays.stream(counts).sum() + below + above;
  }

  /** Share of all the series' values (outside ones included) that fall into bin k. */
  public double fraction(int k) {
    return (double) counts[k] / total();
  }
}
