package org.aldi.ingest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the rows of one input went: rows in = rows used + rows repaired + rows rejected, with a count per reason
 * of repair and of rejection. The four counts are measured separately (rows read from the source, rows written),
 * so {@link #verify()} catches a row lost on the way; the data-quality summaries (input/quality.json,
 * split/summary.json) hold {@link #toMap()} and the log shows {@link #table(List)}.
 */
public final class RowAccounting {
  private final String input;
  private final String source;
  private long rowsIn;
  private long rowsUsed;
  private final Map<String, Long> repairs = new LinkedHashMap<>();
  private final Map<String, Long> rejections = new LinkedHashMap<>();

  /**
   * @param input the input's name in the summary (e.g. "interactions")
   * @param source where it was read from (a path)
   */
  public RowAccounting(String input, String source) {
    this.input = input;
    this.source = source;
  }

  public String input() {
    return input;
  }

  /** Rows (records, lines without a header) read from the source. */
  public RowAccounting in(long rows) {
    rowsIn = rows;
    return this;
  }

  /** Rows that reached the output as they were. */
  public RowAccounting used(long rows) {
    rowsUsed = rows;
    return this;
  }

  /** Rows that reached the output changed, or merged into another row, for the given reason. */
  public RowAccounting repaired(String reason, long rows) {
    repairs.merge(reason, rows, Long::sum);
    return this;
  }

  /** Rows that did not reach the output, for the given reason. */
  public RowAccounting rejected(String reason, long rows) {
    rejections.merge(reason, rows, Long::sum);
    return this;
  }

  public long rowsIn() {
    return rowsIn;
  }

  public long rowsUsed() {
    return rowsUsed;
  }

  public long rowsRepaired() {
    return repairs.values().stream().mapToLong(Long::longValue).sum();
  }

  public long rowsRejected() {
    return rejections.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Fails when rows in != used + repaired + rejected: a row was lost (or counted twice) without a reason. */
  public void verify() {
    if (rowsIn != rowsUsed + rowsRepaired() + rowsRejected()) {
      throw new IllegalStateException("row accounting of " + input + " (" + source + ") does not add up: "
          + rowsIn + " rows in, " + rowsUsed + " used, " + rowsRepaired() + " repaired " + repairs + ", "
          + rowsRejected() + " rejected " + rejections);
    }
  }

  /** The summary entry: source, rows_in, rows_used, rows_repaired, rows_rejected, repairs, rejections. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("source", source);
    m.put("rows_in", rowsIn);
    m.put("rows_used", rowsUsed);
    m.put("rows_repaired", rowsRepaired());
    m.put("rows_rejected", rowsRejected());
    m.put("repairs", new LinkedHashMap<>(repairs));
    m.put("rejections", new LinkedHashMap<>(rejections));
    return m;
  }

  /** The entries of several inputs by name, for a summary file. */
  public static Map<String, Object> toMap(List<RowAccounting> inputs) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (RowAccounting a : inputs) {
      m.put(a.input, a.toMap());
    }
    return m;
  }

  /** A text table for the log: one line per input, the reasons of repairs and rejections at the end. */
  public static String table(List<RowAccounting> inputs) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"input", "rows in", "used", "repaired", "rejected", "reasons"});
    for (RowAccounting a : inputs) {
      List<String> reasons = new ArrayList<>();
      a.repairs.forEach((k, v) -> reasons.add("repaired " + k + " " + v));
      a.rejections.forEach((k, v) -> reasons.add("rejected " + k + " " + v));
      rows.add(new String[] {a.input, Long.toString(a.rowsIn), Long.toString(a.rowsUsed),
          Long.toString(a.rowsRepaired()), Long.toString(a.rowsRejected()), String.join("; ", reasons)});
    }
    int[] width = new int[5];
    for (String[] r : rows) {
      for (int c = 0; c < width.length; c++) {
        width[c] = Math.max(width[c], r[c].length());
      }
    }
    StringBuilder out = new StringBuilder("row accounting (rows in = used + repaired + rejected)\n");
    for (String[] r : rows) {
      out.append(String.format("  %-" + width[0] + "s", r[0]));
      for (int c = 1; c < width.length; c++) {
        out.append(String.format("  %" + width[c] + "s", r[c]));
      }
      out.append("  ").append(r[5]).append('\n');
    }
    return out.toString();
  }
}
