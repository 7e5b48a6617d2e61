package org.aldi.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The HTML of report/index.html: plain HTML and CSS, the plots as images next to it, no script. */
final class ReportPage {
  private static final String STYLE = "body{font-family:sans-serif;max-width:1100px;margin:24px auto;padding:0 16px;"
      + "color:#222}table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid #ccc;padding:3px 9px}"
      + "td.num{text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f3f3}img{display:block;"
      + "margin:8px 0;max-width:100%}p.note{color:#555;font-size:90%}code{background:#f5f5f5;padding:0 3px}"
      + "div.cols{display:flex;gap:32px;align-items:flex-start}";

  private ReportPage() {}

  static String render(String runDir, JsonNode metrics, JsonNode users, JsonNode history, Alignment training,
      double[] warmScores, double[] coldScores, JsonNode quality, JsonNode split, Collection<String> plots) {
    StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<title>ALDI run report</title><style>" + STYLE + "</style></head><body>\n");
    h.append("<h1>ALDI run report</h1>\n<p>Run folder <code>").append(escape(runDir)).append("</code>, report written ")
        .append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(". Sections: <a href=\"#metrics\">test metrics</a>, <a href=\"#training\">"
            + "distillation</a>, <a href=\"#alignment\">alignment (Figure 3)</a>, <a href=\"#quality\">data quality"
            + "</a>.</p>\n");

    h.append("<h2 id=\"metrics\">Test metrics</h2>\n<p class=\"note\">From <code>eval/metrics.json</code> and "
        + "<code>eval/users.json</code>: overall ranks warm and cold items together (Eq. 1, 9), warm ranks warm "
        + "items by teacher scores (Eq. 2), cold ranks cold items by student scores (Eq. 3).</p>\n");
    h.append(metricsTable(metrics, users));

    String key = Curves.validationKey(history);
    h.append("<h2 id=\"training\">Distillation</h2>\n<p>Best epoch <b>").append(history.get("best_epoch").asInt())
        .append("</b> of ").append(history.get("epochs").size()).append(", cold-validation ")
        .append(escape(key.substring("val_cold_".length()))).append(" ")
        .append(number(history.get("epochs").get(history.get("best_epoch").asInt()).get(key).asDouble()))
        .append(". Loss terms are means over fixed monitor batches of training triples (total = basic + alpha rate"
            + " + beta rank + gamma iden, without L2), from <code>model/history.json</code>.")
        .append(history.path("method").asText("aldi").equals("aldi") ? ""
            : " Method <code>" + escape(history.get("method").asText()) + "</code> (aldi.distill.method): total is "
                + "its own objective; basic, rate, rank and iden are ALDI's terms measured on its student.")
        .append("</p>\n");
    h.append(image("loss.svg", plots)).append(image("validation.svg", plots));
    h.append("<details><summary>Per-epoch values</summary>\n").append(historyTable(history, key)).append("</details>\n");

    h.append("<h2 id=\"alignment\">Alignment of students with teachers (paper Figure 3)</h2>\n<p class=\"note\">")
        .append(training.triples().size()).append(" training triples (u, i, j) of epoch set 0, scored by the "
            + "teacher (backbone embeddings e) and by the trained student (inference towers of "
            + "<code>model/towers.json</code>), in minibatches of the training batch size. The identification "
            + "distance is x_i . (x_i - mean of x_j over the batch) without the sigmoid (Eq. 20), with x = e for "
            + "the teacher and x = f_I(c) for the student. The range of each plot leaves out the pooled values' "
            + "outer ").append(100 * ReportStage.TAIL).append("% at each end; the legends count them.</p>\n");
    h.append(image("rating.svg", plots)).append(image("ranking.svg", plots)).append(image("identification.svg", plots));
    List<SvgPlot.Series> all = new ArrayList<>(Figure3.rating(training));
    all.addAll(Figure3.ranking(training));
    all.addAll(Figure3.identification(training));
    all.add(new SvgPlot.Series(Figure3.WARM_VAL, warmScores));
    all.add(new SvgPlot.Series(Figure3.COLD_VAL, coldScores));
    h.append(seriesTable(all));
    h.append("<p>Mean absolute teacher-student difference per triple: positive score ")
        .append(number(meanAbsDiff(training.column("t_ui"), training.column("s_ui")))).append(", negative score ")
        .append(number(meanAbsDiff(training.column("t_uj"), training.column("s_uj")))).append(", identification ")
        .append(number(meanAbsDiff(training.column("d_t"), training.column("d_s")))).append(".</p>\n");
    h.append("<h3>Held-out pairs</h3>\n<p class=\"note\">Warm-validation pairs scored by the teacher and "
        + "cold-validation pairs scored by the student (").append(warmScores.length).append(" and ")
        .append(coldScores.length).append(" seeded samples): in the overall ranking (Eq. 9) both kinds compete, "
            + "so aligned score distributions mean neither kind is pushed up or down.</p>\n");
    h.append(image("heldout.svg", plots));

    h.append("<h2 id=\"quality\">Data quality</h2>\n<div class=\"cols\"><div><p class=\"note\">Ingest "
        + "(<code>input/quality.json</code>)</p>\n").append(flatTable(quality));
    h.append("</div><div><p class=\"note\">Split (<code>split/summary.json</code>)</p>\n").append(flatTable(split))
        .append("</div></div>\n");
    return h.append("</body></html>\n").toString();
  }

  private static String metricsTable(JsonNode metrics, JsonNode users) {
    StringBuilder t = new StringBuilder("<table class=\"metrics\"><tr><th>task</th>");
    List<String> keys = new ArrayList<>();
    metrics.elements().next().fieldNames().forEachRemaining(k -> {
      if (k.contains("@")) { // the metrics; "users" and "candidates" are counts
        keys.add(k);
      }
    });
    keys.forEach(k -> t.append("<th>").append(escape(k)).append("</th>"));
    t.append("<th>users</th></tr>\n");
    for (Iterator<Map.Entry<String, JsonNode>> it = metrics.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> task = it.next();
      t.append("<tr><td>").append(escape(task.getKey())).append("</td>");
      for (String k : keys) {
        JsonNode v = task.getValue().get(k);
        t.append("<td class=\"num\">").append(v == null || v.isNull() ? "-" : metric(v.asDouble())).append("</td>");
      }
      t.append("<td class=\"num\">").append(users.has(task.getKey()) ? users.get(task.getKey()).asText() : "-")
          .append("</td></tr>\n");
    }
    return t.append("</table>\n").toString();
  }

  /** A metric as the report prints it: four decimals. */
  static String metric(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  private static String historyTable(JsonNode history, String key) {
    List<String> columns = new ArrayList<>(List.of("epoch"));
    columns.addAll(List.of(Curves.TERMS));
    columns.addAll(List.of(key, "epoch_seconds"));
    StringBuilder t = new StringBuilder("<table><tr>");
    columns.forEach(c -> t.append("<th>").append(escape(c)).append("</th>"));
    t.append("</tr>\n");
    for (JsonNode e : history.get("epochs")) {
      t.append("<tr>");
      for (String c : columns) {
        JsonNode v = e.get(c);
        t.append("<td class=\"num\">").append(v.isIntegralNumber() ? v.asText() : metric(v.asDouble())).append("</td>");
      }
      t.append("</tr>\n");
    }
    return t.append("</table>\n").toString();
  }

  private static String seriesTable(List<SvgPlot.Series> series) {
    StringBuilder t = new StringBuilder("<table><tr><th>series</th><th>n</th><th>mean</th><th>std</th>"
        + "<th>median</th></tr>\n");
    for (SvgPlot.Series s : series) {
      double[] v = s.values();
      double mean = Arrays.stream(v).average().orElse(Double.NaN);
      double var = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / Math.max(1, v.length - 1);
      double[] sorted = v.clone();
      Arrays.sort(sorted);
      double median = sorted.length == 0 ? Double.NaN
          : (sorted[(sorted.length - 1) / 2] + sorted[sorted.length / 2]) / 2;
      t.append("<tr><td>").append(escape(s.name())).append("</td><td class=\"num\">").append(v.length)
          .append("</td><td class=\"num\">").append(number(mean)).append("</td><td class=\"num\">")
          .append(number(Math.sqrt(var))).append("</td><td class=\"num\">").append(number(median)).append("</td></tr>\n");
    }
    return t.append("</table>\n").toString();
  }

  private static double meanAbsDiff(double[] a, double[] b) {
    double sum = 0;
    for (int k = 0; k < a.length; k++) {
      sum += Math.abs(a[k] - b[k]);
    }
    return sum / a.length;
  }

  /** Rows "dotted.key | value" of a JSON tree; arrays of numbers on one line. */
  private static String flatTable(JsonNode root) {
    StringBuilder t = new StringBuilder("<table>\n");
    flatten("", root, t);
    return t.append("</table>\n").toString();
  }

  private static void flatten(String prefix, JsonNode node, StringBuilder t) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
          e.getValue(), t));
      return;
    }
    String value;
    boolean numeric = node.isNumber();
    if (node.isArray()) {
      List<String> items = new ArrayList<>();
      node.forEach(v -> items.add(v.isNumber() ? number(v.asDouble()) : v.asText()));
      value = String.join(", ", items);
      numeric = node.size() > 0 && node.get(0).isNumber();
    } else {
      value = node.isFloatingPointNumber() ? number(node.asDouble()) : node.asText();
    }
    t.append("<tr><td>").append(escape(prefix)).append(numeric ? "</td><td class=\"num\">" : "</td><td>")
        .append(escape(value)).append("</td></tr>\n");
  }

  private static String image(String file, Collection<String> plots) {
    if (!plots.contains(file)) {
      throw new IllegalStateException("no plot " + file);
    }
    return "<img src=\"" + file + "\" alt=\"" + file + "\">\n";
  }

  private static String number(double v) {
    return SvgPlot.format(v);
  }

  private static String escape(String text) {
    return SvgPlot.escape(text);
  }
}
