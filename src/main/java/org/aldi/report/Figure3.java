package org.aldi.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The panels of the paper's Figure 3 as histograms of named teacher and student series: (a) scores of positive and
 * negative pairs, (b) the ranking gap, (c) the identification distance without the sigmoid.
 */
final class Figure3 {
  static final String T_UI = "teacher t_ui (positive)";
  static final String S_UI = "student s_ui (positive)";
  static final String T_UJ = "teacher t_uj (negative)";
  static final String S_UJ = "student s_uj (negative)";
  static final String T_GAP = "teacher t_ui - t_uj";
  static final String S_GAP = "student s_ui - s_uj";
  static final String D_T = "teacher d_i^T";
  static final String D_S = "student d_i^S";
  static final String WARM_VAL = "teacher, warm-val pairs";
  static final String COLD_VAL = "student, cold-val pairs";

  private Figure3() {}

  static List<SvgPlot.Series> rating(Alignment a) {
    return List.of(new SvgPlot.Series(T_UI, a.column("t_ui")), new SvgPlot.Series(S_UI, a.column("s_ui")),
        new SvgPlot.Series(T_UJ, a.column("t_uj")), new SvgPlot.Series(S_UJ, a.column("s_uj")));
  }

  static List<SvgPlot.Series> ranking(Alignment a) {
    return List.of(new SvgPlot.Series(T_GAP, difference(a.column("t_ui"), a.column("t_uj"))),
        new SvgPlot.Series(S_GAP, difference(a.column("s_ui"), a.column("s_uj"))));
  }

  static List<SvgPlot.Series> identification(Alignment a) {
    return List.of(new SvgPlot.Series(D_T, a.column("d_t")), new SvgPlot.Series(D_S, a.column("d_s")));
  }

  /** File name to SVG of the three panels. */
  static Map<String, String> plots(Alignment a, int bins, double tail) {
    Map<String, String> plots = new LinkedHashMap<>();
    plots.put("rating.svg", SvgPlot.histograms("(a) Rating distribution of positive and negative pairs",
        "score", rating(a), bins, tail));
    plots.put("ranking.svg", SvgPlot.histograms("(b) Ranking gap of a triple", "score of i minus score of j",
        ranking(a), bins, tail));
    plots.put("identification.svg", SvgPlot.histograms("(c) Identification distance (no sigmoid)",
        "x_i . (x_i - batch mean of x_j)", identification(a), bins, tail));
    return plots;
  }

  private static double[] difference(double[] a, double[] b) {
    double[] d = new double[a.length];
    for (int k = 0; k < a.length; k++) {
      d[k] = a[k] - b[k];
    }
    return d;
  }
}
