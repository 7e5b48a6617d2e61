package org.aldi.ingest;

import static org.apache.spark.sql.functions.col;

import org.aldi.store.StageOutput;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index of text ids (aldi.data.ids = string): the distinct ids in ascending order of their text get the
 * indices 0..n-1. It depends only on the set of ids, not on row order or partitioning, so the same input gives
 * the same mapping. Written as input/user_ids (user:int, user_id:string) and input/item_ids (item:int,
 * item_id:string); org.aldi.serve.OriginalIds reads them back for the outputs.
 */
final class IdIndex {
  private static final Logger LOG = LoggerFactory.getLogger(IdIndex.class);

  /** Interactions (user, item, ...) and content (item, ...) with indices in place of the text ids. */
  record Mapped(Dataset<Row> interactions, Dataset<Row> content) {}

  private IdIndex() {}

  /**
   * Maps the text ids of the interactions (user, item, ...) and the content (item, ...) to indices: users over the
   * interactions, items over both; writes the two mappings into ingest's output.
   */
  static Mapped map(Dataset<Row> interactions, Dataset<Row> content, int partitions, StageOutput out) {
    Dataset<Row> userIds = build(interactions.select(col("user").as("id")), "user", partitions)
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> itemIds = build(interactions.select(col("item").as("id")).union(content.select(col("item").as("id"))),
        "item", partitions).persist(StorageLevel.MEMORY_AND_DISK());
    long users = out.writeParquet("user_ids", userIds.orderBy("user"));
    long items = out.writeParquet("item_ids", itemIds.orderBy("item"));
    LOG.info("text ids: {} users and {} items mapped to indices (input/user_ids, input/item_ids)", users, items);
    return new Mapped(
        interactions.withColumnRenamed("user", "user_id").withColumnRenamed("item", "item_id")
            .join(userIds, "user_id").join(itemIds, "item_id"),
        content.withColumnRenamed("item", "item_id").join(itemIds, "item_id"));
  }

  /**
   * (name:int, name_id:string) for the distinct values of the string column "id" of ids.
   *
   * @param name "user" or "item"
   */
  private static Dataset<Row> build(Dataset<Row> ids, String name, int partitions) {
    JavaRDD<Row> indexed = ids.select("id").distinct().javaRDD().map(r -> r.getString(0))
        .sortBy(id -> id, true, partitions)
        .zipWithIndex()
        .map(t -> RowFactory.create(Math.toIntExact(t._2), t._1));
    return ids.sparkSession().createDataFrame(indexed, new StructType()
        .add(name, DataTypes.IntegerType, false)
        .add(name + "_id", DataTypes.StringType, false));
  }
}
