package org.aldi.ingest;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The index of text ids (aldi.data.ids = string): the distinct ids in ascending order of their text get the
 * indices 0..n-1. It depends only on the set of ids, not on row order or partitioning, so the same input gives
 * the same mapping. Written as input/user_ids (user:int, user_id:string) and input/item_ids (item:int,
 * item_id:string); org.aldi.serve.OriginalIds reads them back for the outputs.
 */
final class IdIndex {
  private IdIndex() {}

  /**
   * (name:int, name_id:string) for the distinct values of the string column "id" of ids.
   *
   * @param name "user" or "item"
   */
  static Dataset<Row> build(Dataset<Row> ids, String name, int partitions) {
    JavaRDD<Row> indexed = ids.select("id").distinct().javaRDD().map(r -> r.getString(0))
        .sortBy(id -> id, true, partitions)
        .zipWithIndex()
        .map(t -> RowFactory.create(Math.toIntExact(t._2), t._1));
    return ids.sparkSession().createDataFrame(indexed, new StructType()
        .add(name, DataTypes.IntegerType, false)
        .add(name + "_id", DataTypes.StringType, false));
  }
}
