package org.aldi.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/** The evaluation result as a readable text table: one row per task, Precision/Recall/NDCG at each K, users. */
public final class MetricsTable {
  private static final String[] METRICS = {"precision", "recall", "ndcg"};
  private static final String[] HEADERS = {"Precision", "Recall", "NDCG"};

  private MetricsTable() {}

  /**
   * Formats the contents of eval/metrics.json and eval/users.json; rows follow the task order of metrics.json, Ks
   * are read from its keys. A missing (null) mean, from a task without users, shows as "-".
   */
  public static String format(JsonNode metrics, JsonNode users) {
    List<Integer> ks = new ArrayList<>();
    Iterator<String> names = metrics.elements().next().fieldNames();
    while (names.hasNext()) {
      String key = names.next();
      if (key.startsWith(METRICS[0] + "@")) {
        ks.add(Integer.parseInt(key.substring(key.indexOf('@') + 1)));
      }
    }
    List<String> header = new ArrayList<>(List.of("task"));
    for (int k : ks) {
      for (String h : HEADERS) {
        header.add(h + "@" + k);
      }
    }
    header.add("users");
    List<List<String>> rows = new ArrayList<>();
    Iterator<String> tasks = metrics.fieldNames();
    while (tasks.hasNext()) {
      String task = tasks.next();
      List<String> row = new ArrayList<>(List.of(task));
      for (int k : ks) {
        for (String m : METRICS) {
          JsonNode v = metrics.get(task).get(m + "@" + k);
          row.add(v == null || v.isNull() ? "-" : String.format(Locale.ROOT, "%.4f", v.asDouble()));
        }
      }
      row.add(users.has(task) ? users.get(task).asText() : "-");
      rows.add(row);
    }
    int[] width = new int[header.size()];
    for (int c = 0; c < width.length; c++) {
      width[c] = header.get(c).length();
      for (List<String> row : rows) {
        width[c] = Math.max(width[c], row.get(c).length());
      }
    }
    StringBuilder out = new StringBuilder();
    appendRow(out, header, width);
    for (List<String> row : rows) {
      appendRow(out, row, width);
    }
    return out.toString();
  }

  private static void appendRow(StringBuilder out, List<String> cells, int[] width) {
    for (int c = 0; c < cells.size(); c++) {
      String cell = cells.get(c);
      // task names left-aligned, numbers right-aligned
      out.append(c == 0 ? String.format("%-" + width[c] + "s", cell) : String.format("  %" + width[c] + "s", cell));
    }
    out.append('\n');
  }
}
