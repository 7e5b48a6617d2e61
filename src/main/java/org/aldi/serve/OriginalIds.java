package org.aldi.serve;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.List;
import org.aldi.store.RunFolder;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * The original user and item ids of the source data. Ingest may write input/user_ids (user:int, user_id:string)
 * and input/item_ids (item:int, item_id:string); when a mapping is absent, or has no row for an index (a new item
 * of a daily batch), the integer index written as a string stands in for the original id.
 */
public final class OriginalIds {
  private OriginalIds() {}

  /**
   * Adds the column {@code <index>_id} right after the int column {@code index} ("user" or "item"), from
   * input/{@code <index>}_ids.
   */
  public static Dataset<Row> attach(RunFolder run, Dataset<Row> data, String index) {
    String idColumn = index + "_id";
    Column fallback = col(index).cast(DataTypes.StringType);
    Column id;
    Dataset<Row> joined;
    if (run.has(RunFolder.INPUT, index + "_ids")) {
      Dataset<Row> mapping = run.read(RunFolder.INPUT, index + "_ids").select(col(index), col(idColumn).as("mapped"));
      joined = data.join(mapping, data.col(index).equalTo(mapping.col(index)), "left").drop(mapping.col(index));
      id = coalesce(col("mapped"), fallback);
    } else {
      joined = data;
      id = fallback;
    }
    List<Column> columns = new ArrayList<>();
    for (String c : data.columns()) {
      columns.add(col(c));
      if (c.equals(index)) {
        columns.add(id.as(idColumn));
      }
    }
    return joined.select(columns.toArray(new Column[0]));
  }
}
