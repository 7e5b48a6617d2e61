package org.aldi.ingest;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructField;

/** A few offending rows for an error message, so that the user can find them in the source. */
final class Examples {
  static final int MAX = 3;

  private Examples() {}

  /**
   * " (e.g. user=alice, item=7; ...)": up to {@value #MAX} rows of bad with their non-array columns, in the
   * order of the given sort columns (or as read when none are given).
   */
  static String of(Dataset<Row> bad, String... orderBy) {
    List<String> columns = new ArrayList<>();
    for (StructField f : bad.schema().fields()) {
      if (!(f.dataType() instanceof ArrayType)) {
        columns.add(f.name());
      }
    }
    if (columns.isEmpty()) {
      return "";
    }
    Dataset<Row> shown = bad.selectExpr(columns.stream().map(c -> "`" + c + "`").toArray(String[]::new));
    if (orderBy.length > 0) {
      shown = shown.orderBy(orderBy[0], java.util.Arrays.copyOfRange(orderBy, 1, orderBy.length));
    }
    List<String> rows = new ArrayList<>();
    for (Row r : shown.limit(MAX).collectAsList()) {
      List<String> cells = new ArrayList<>();
      for (int c = 0; c < columns.size(); c++) {
        cells.add(columns.get(c) + "=" + r.get(c));
      }
      rows.add(String.join(", ", cells));
    }
    return " (e.g. " + String.join("; ", rows) + ")";
  }
}
