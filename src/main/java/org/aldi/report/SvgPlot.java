package org.aldi.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Self-contained SVG charts of named series, written by hand (no dependency, no script): overlaid histograms
 * and line charts. Each series is drawn inside {@code <g class="series" data-name="...">}, with a legend entry.
 */
public final class SvgPlot {
  /** A named series of values (the y values of a line chart). */
  public record Series(String name, double[] values) {}

  private static final String[] COLORS =
      {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};
  private static final int WIDTH = 820;
  private static final int HEIGHT = 360;
  private static final int LEFT = 70;
  private static final int PLOT_RIGHT = 560;
  private static final int TOP = 40;
  private static final int BOTTOM = 300;

  private SvgPlot() {}

  /**
   * Overlaid histograms over one common range ({@link Histogram#range} with the given tail), y = share of the
   * series' values per bin. The legend gives each series' size, mean and how many values fell outside.
   */
  public static String histograms(String title, String xLabel, List<Series> series, int bins, double tail) {
    double[] range = Histogram.range(series.stream().map(Series::values).toList(), tail);
    List<Histogram> hists = new ArrayList<>();
    double yMax = 0;
    for (Series s : series) {
      Histogram h = Histogram.of(s.values(), range[0], range[1], bins);
      hists.add(h);
      for (int k = 0; k < bins; k++) {
        yMax = Math.max(yMax, h.fraction(k));
      }
    }
    Canvas c = new Canvas(title, xLabel, "share of values per bin", range[0], range[1], 0, yMax * 1.08, 0);
    for (int i = 0; i < series.size(); i++) {
      Histogram h = hists.get(i);
      StringBuilder path = new StringBuilder(String.format(Locale.ROOT, "M%.2f %.2f", c.px(h.lo()), c.py(0)));
      for (int k = 0; k < bins; k++) {
        double y = c.py(h.fraction(k));
        path.append(String.format(Locale.ROOT, " L%.2f %.2f L%.2f %.2f", c.px(h.lo() + k * h.width()), y,
            c.px(h.lo() + (k + 1) * h.width()), y));
      }
      path.append(String.format(Locale.ROOT, " L%.2f %.2f Z", c.px(h.hi()), c.py(0)));
      String color = color(i);
      Series s = series.get(i);
      c.series(s.name(), String.format("<path d=\"%s\" fill=\"%s\" fill-opacity=\"0.12\" stroke=\"%s\" "
          + "stroke-width=\"1.6\"/>", path, color, color));
      c.legend(i, s.name(), String.format(Locale.ROOT, "n %d, mean %s, outside %d", h.total(),
          format(Arrays.stream(s.values()).average().orElse(Double.NaN)), h.below() + h.above()));
    }
    return c.close();
  }

  /**
   * Line chart of the series over common x values; an optional vertical marker (markX not NaN) with a label,
   * for example the best epoch.
   */
  public static String lines(String title, String xLabel, String yLabel, double[] x, List<Series> series,
      double markX, String markLabel) {
    double yLo = Double.POSITIVE_INFINITY;
    double yHi = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (double v : s.values()) {
        yLo = Math.min(yLo, v);
        yHi = Math.max(yHi, v);
      }
    }
    double pad = yHi > yLo ? 0.05 * (yHi - yLo) : 0.5;
    double xLo = x[0];
    double xHi = x.length > 1 ? x[x.length - 1] : x[0] + 1;
    boolean integerX = Arrays.stream(x).allMatch(v -> v == Math.rint(v));
    Canvas c = new Canvas(title, xLabel, yLabel, xLo, xHi, yLo - pad, yHi + pad, integerX ? 1 : 0);
    if (!Double.isNaN(markX)) {
      c.body.append(String.format(Locale.ROOT, "<line class=\"marker\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" "
          + "stroke=\"#555\" stroke-dasharray=\"4 3\"/>", c.px(markX), TOP, c.px(markX), BOTTOM));
      c.body.append(String.format(Locale.ROOT, "<text x=\"%.2f\" y=\"%d\" font-size=\"11\" fill=\"#555\">%s</text>",
          c.px(markX) + 4, TOP + 12, escape(markLabel)));
    }
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      String color = color(i);
      StringBuilder g = new StringBuilder("<polyline fill=\"none\" stroke=\"" + color + "\" stroke-width=\"1.8\" points=\"");
      StringBuilder dots = new StringBuilder();
      for (int k = 0; k < s.values().length; k++) {
        g.append(String.format(Locale.ROOT, "%.2f,%.2f ", c.px(x[k]), c.py(s.values()[k])));
        if (x.length <= 60) {
          dots.append(String.format(Locale.ROOT, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.2\" fill=\"%s\"/>",
              c.px(x[k]), c.py(s.values()[k]), color));
        }
      }
      g.append("\"/>").append(dots);
      c.series(s.name(), g.toString());
      c.legend(i, s.name(), "last " + format(s.values()[s.values().length - 1]));
    }
    return c.close();
  }

  private static String color(int i) {
    return COLORS[i % COLORS.length];
  }

  /** Three significant digits, plain notation for moderate magnitudes. */
  static String format(double v) {
    return String.format(Locale.ROOT, Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 || v == 0 ? "%.4g" : "%.3e", v);
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  /** Ticks at a 1-2-5 step of at least minStep, about target of them, inside [lo, hi]. */
  static double[] ticks(double lo, double hi, int target, double minStep) {
    double raw = Math.max((hi - lo) / target, minStep);
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double f = raw / magnitude;
    double step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * magnitude;
    List<Double> ticks = new ArrayList<>();
    for (double v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
      ticks.add(Math.abs(v) < step * 1e-9 ? 0 : v);
    }
    return ticks.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** Plot area, axes with ticks and grid, title, axis labels and a legend column right of the plot. */
  private static final class Canvas {
    final StringBuilder body = new StringBuilder();
    private final StringBuilder legend = new StringBuilder();
    private final double xLo;
    private final double xHi;
    private final double yLo;
    private final double yHi;

    Canvas(String title, String xLabel, String yLabel, double xLo, double xHi, double yLo, double yHi,
        double minXStep) {
      this.xLo = xLo;
      this.xHi = xHi;
      this.yLo = yLo;
      this.yHi = yHi;
      body.append(String.format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
          + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">", WIDTH, HEIGHT, WIDTH, HEIGHT));
      body.append(String.format("<title>%s</title>", escape(title)));
      body.append(String.format("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>", WIDTH, HEIGHT));
      body.append(String.format("<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>", LEFT,
          escape(title)));
      double[] xTicks = ticks(xLo, xHi, 6, minXStep);
      double[] yTicks = ticks(yLo, yHi, 5, 0);
      body.append("<g class=\"axes\" font-size=\"11\" fill=\"#333\">");
      for (double t : yTicks) {
        body.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" stroke=\"#e5e5e5\"/>"
            + "<text x=\"%d\" y=\"%.2f\" text-anchor=\"end\">%s</text>", LEFT, py(t), PLOT_RIGHT, py(t), LEFT - 6,
            py(t) + 4, tickLabel(t, yTicks)));
      }
      for (double t : xTicks) {
        body.append(String.format(Locale.ROOT, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#333\"/>"
            + "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">%s</text>", px(t), BOTTOM, px(t), BOTTOM + 5, px(t),
            BOTTOM + 18, tickLabel(t, xTicks)));
      }
      body.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>",
          LEFT, TOP, PLOT_RIGHT - LEFT, BOTTOM - TOP));
      body.append(String.format("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\">%s</text>",
          (LEFT + PLOT_RIGHT) / 2, BOTTOM + 40, escape(xLabel)));
      body.append(String.format("<text transform=\"translate(16 %d) rotate(-90)\" text-anchor=\"middle\" "
          + "font-size=\"12\">%s</text>", (TOP + BOTTOM) / 2, escape(yLabel)));
      body.append("</g>");
    }

    double px(double x) {
      return LEFT + (x - xLo) / (xHi - xLo) * (PLOT_RIGHT - LEFT);
    }

    double py(double y) {
      return BOTTOM - (y - yLo) / (yHi - yLo) * (BOTTOM - TOP);
    }

    void series(String name, String svg) {
      body.append("<g class=\"series\" data-name=\"").append(escape(name)).append("\">").append(svg).append("</g>");
    }

    void legend(int i, String name, String detail) {
      int y = TOP + 8 + 38 * i;
      legend.append(String.format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>"
              + "<text x=\"%d\" y=\"%d\" font-size=\"13\">%s</text><text x=\"%d\" y=\"%d\" font-size=\"10\" "
              + "fill=\"#555\">%s</text>", PLOT_RIGHT + 16, y, PLOT_RIGHT + 36, y, color(i), PLOT_RIGHT + 42, y + 4,
          escape(name), PLOT_RIGHT + 42, y + 18, escape(detail)));
    }

    String close() {
      return body + "<g class=\"legend\">" + legend + "</g></svg>\n";
    }

    private static String tickLabel(double v, double[] ticks) {
      double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
      int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
      return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
  }
}
