package org.aldi.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class HistogramTest {
  @Test
  void binsByHandComputedEdges() {
    // [0, 2] in 4 bins of width 0.5: [0, .5) [.5, 1) [1, 1.5) [1.5, 2]; -0.1 is below, 2.5 above
    double[] values = {0.0, 0.4, 0.5, 0.99, 1.0, 1.7, 2.0, -0.1, 2.5};
    Histogram h = Histogram.of(values, 0, 2, 4);
    assertArrayEquals(new long[] {2, 2, 1, 2}, h.counts());
    assertEquals(1, h.below());
    assertEquals(1, h.above());
    assertEquals(9, h.total());
    assertEquals(0.5, h.width(), 0);
    assertEquals(2.0 / 9, h.fraction(0), 1e-15);
    assertEquals(1.0 / 9, h.fraction(2), 1e-15);
  }

  @Test
  void rangeIsThePooledQuantilesByNearestRank() {
    // pooled and sorted: 1..10; tail 0.1 -> indices round(0.9) = 1 and round(8.1) = 8 -> values 2 and 9
    double[] range = Histogram.range(List.of(new double[] {5, 1, 3, 2, 4}, new double[] {10, 6, 8, 7, 9}), 0.1);
    assertArrayEquals(new double[] {2, 9}, range);
    assertArrayEquals(new double[] {2.5, 3.5}, Histogram.range(List.of(new double[] {3, 3}), 0.005));
  }

  @Test
  void rejectsValuesThatCannotBeBinned() {
    assertThrows(IllegalArgumentException.class, () -> Histogram.of(new double[] {Double.NaN}, 0, 1, 2));
    assertThrows(IllegalArgumentException.class, () -> Histogram.of(new double[] {0.5}, 1, 1, 2));
  }
}
