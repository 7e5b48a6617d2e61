package org.aldi.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

class SvgPlotTest {
  @Test
  void ticksFollowOneTwoFiveSteps() {
    assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6, 0.8, 1.0}, SvgPlot.ticks(0, 1, 5, 0), 1e-12);
    assertArrayEquals(new double[] {-0.5, 0, 0.5, 1.0, 1.5}, SvgPlot.ticks(-0.93, 1.5, 6, 0), 1e-12);
    assertArrayEquals(new double[] {0, 1, 2}, SvgPlot.ticks(0, 2, 6, 1), 1e-12); // epochs: integer steps
  }

  @Test
  void histogramsDrawOneOutlinePerNamedSeriesWithTheBinHeights() throws Exception {
    String svg = SvgPlot.histograms("t", "x", List.of(new SvgPlot.Series("a & b", new double[] {0, 0, 1, 2}),
        new SvgPlot.Series("c", new double[] {2, 2})), 2, 0);
    Element root = SvgFiles.parse(svg);
    assertEquals(List.of("a & b", "c"), SvgFiles.seriesNames(root));
    // series "a & b" over [0, 2] in 2 bins holds 2 and 2 of 4 values: one level, half; "c" is all in bin 1
    String a = SvgFiles.series(root, "a & b").getElementsByTagName("path").item(0).getAttributes()
        .getNamedItem("d").getNodeValue();
    String[] points = a.replaceAll("[MLZ]", "").trim().split("\\s+");
    assertEquals(2 * 6, points.length, "start, 2 points per bin, end: " + a);
    assertEquals(points[3], points[7], "both bins of 'a & b' have the same height");
  }
}
