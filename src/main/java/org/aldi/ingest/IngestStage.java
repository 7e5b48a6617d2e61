package org.aldi.ingest;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aldi.config.Settings;
import org.aldi.content.ContentColumn;
import org.aldi.store.Lineage;
import org.aldi.store.RunFolder;
import org.aldi.store.Stage;
import org.aldi.store.StageOutput;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage "input": reads the interactions and the item content in their source formats and writes them in the
 * pipeline's own schema (data-schemas/input.*.json), with a data-quality summary.
 *
 * <ul>
 *   <li>{@code input/interactions} (user:int, item:int, weight:float?, timestamp:long?), one row per (user, item);
 *       duplicates collapse into one row with the largest weight and the smallest timestamp, and are counted.
 *   <li>{@code input/item_content} (item:int, features:array&lt;float&gt;, has_content:boolean) for every item that
 *       occurs in the interactions or in the content file; items without a content row get the zero vector
 *       (counted), and so do content rows with a NaN, infinite or null value (counted).
 *   <li>{@code input/user_ids}, {@code input/item_ids} with aldi.data.ids = string: the index of each original id
 *       ({@link IdIndex}).
 *   <li>{@code input/quality.json}: counts of rows read, duplicates, users, items, missing or repaired content,
 *       and the row accounting of each input ({@link RowAccounting}), also logged as a table.
 * </ul>
 * A malformed row, an empty input or one with no data rows fails the stage with a {@link MalformedInputException}
 * naming the file, the row and the reason.
 */
public final class IngestStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(IngestStage.class);

  static final StructType CONTENT_SCHEMA = new StructType()
      .add("item", DataTypes.IntegerType, false)
      .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
      .add("has_content", DataTypes.BooleanType, false);

  @Override
  public String name() {
    return RunFolder.INPUT;
  }

  @Override
  public Lineage lineage(Settings settings) {
    return new Lineage(List.of(), List.of("data", "run.seed", "spark.partitions"), Map.of(
        "data.interactions.path", settings.data.interactionsPath, "data.content.path", settings.data.contentPath));
  }

  @Override
  public void run(RunFolder run, Settings settings) {
    StageOutput.write(run, name(), settings, out -> write(run, settings, out), MalformedInputException.class);
  }

  private void write(RunFolder run, Settings settings, StageOutput out) {
    SparkSession spark = run.spark();
    Settings.Data data = settings.data;
    int partitions = settings.spark.partitions;
    Map<String, Object> quality = new LinkedHashMap<>();
    quality.put("ids", data.stringIds ? "string" : "integer");

    LOG.info("reading interactions: {} ({})", data.interactionsPath, data.interactionsFormat);
    RowAccounting interactionRows = new RowAccounting("interactions", data.interactionsPath);
    Dataset<Row> read = InteractionSource.read(spark, data, interactionRows)
        .repartition(partitions)
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> raw = read;
    long rowsRead = raw.count();
    if (rowsRead == 0) {
      throw new MalformedInputException(data.interactionsPath, "no interactions"
          + (data.interactionsFormat.equals("csv") ? ": the file has a header but no data rows" : ""));
    }
    interactionRows.in(rowsRead + interactionRows.rowsRejected());
    interactionRows.repaired("duplicate_pair_merged", rowsRead - raw.select("user", "item").distinct().count());

    LOG.info("reading item content: {} ({})", data.contentPath, data.contentFormat);
    RowAccounting contentRows = new RowAccounting("item_content", data.contentPath);
    Dataset<Row> content;
    if (data.contentFormat.equals("citeulike-tags")) {
      TagContent.Result tags = TagContent.build(spark, data.contentPath, data.minItemFrequency,
          data.contentDimension, partitions, settings.run.seed);
      content = tags.vectors().withColumn("repaired", lit(false));
      contentRows.in((Long) tags.stats().get("content_lines"));
      quality.put("content", tags.stats());
    } else {
      content = readParquetContent(spark, data.contentPath, data.contentDimension, data.stringIds)
          .persist(StorageLevel.MEMORY_AND_DISK());
      contentRows.in(content.count());
    }
    if (contentRows.rowsIn() == 0) {
      throw new MalformedInputException(data.contentPath, "no content rows: every item would get the zero vector, "
          + "so cold items could not be told apart");
    }

    if (data.stringIds) {
      IdIndex.Mapped mapped = IdIndex.map(raw, content, partitions, out);
      raw = mapped.interactions();
      content = mapped.content();
    }

    Dataset<Row> interactions = raw.groupBy("user", "item")
        .agg(max("weight").as("weight"), min("timestamp").as("timestamp"))
        .persist(StorageLevel.MEMORY_AND_DISK());
    Row stats = interactions.agg(count(lit(1)), countDistinct(col("user")), countDistinct(col("item"))).first();
    long rows = stats.getLong(0);
    interactionRows.used(rows);
    LOG.info("interactions: {} rows read, {} duplicates dropped, {} kept; {} users, {} items", rowsRead,
        rowsRead - rows, rows, stats.getLong(1), stats.getLong(2));
    quality.put("interaction_rows_read", rowsRead);
    quality.put("duplicates_dropped", rowsRead - rows);
    quality.put("interactions", rows);
    quality.put("users", stats.getLong(1));
    quality.put("items_in_interactions", stats.getLong(2));
    quality.put("malformed_lines", 0); // a malformed line fails the stage
    out.writeParquet("interactions", interactions.select("user", "item", "weight", "timestamp")
        .orderBy("user", "item"), rows);

    boolean sparse = ContentColumn.isVector(content.schema(), "features");
    quality.put("content_storage", sparse ? "sparse (ml Vector)" : "dense (array<float>)");
    Dataset<Row> itemContent = withInteractionItems(content, interactions, ContentColumn.zero(data.contentDimension,
        sparse)).persist(StorageLevel.MEMORY_AND_DISK());
    Row c = itemContent.agg(
        count(lit(1)),
        sum(when(col("in_content").and(not(col("has_content"))), 1).otherwise(0)),
        sum(when(not(col("in_content")), 1).otherwise(0)),
        sum(when(not(col("in_interactions")), 1).otherwise(0)),
        sum(when(col("in_content").and(not(col("repaired"))), 1).otherwise(0)),
        sum(when(col("repaired"), 1).otherwise(0))).first();
    long items = c.getLong(0);
    contentRows.used(c.getLong(4)).repaired("non_finite_value_zeroed", c.getLong(5));
    quality.put("items", items);
    quality.put("items_with_content_row_but_zero_vector", c.getLong(1));
    quality.put("items_in_interactions_without_content_row", c.getLong(2));
    quality.put("content_only_items", c.getLong(3));
    quality.put("content_rows_non_finite_zeroed", c.getLong(5));
    LOG.info("item content: {} items; {} with a content row but no (kept) content, {} interaction items without a "
        + "content row, {} content-only items, {} content rows with NaN, infinite or null values set to zero", items,
        c.getLong(1), c.getLong(2), c.getLong(3), c.getLong(5));
    if (c.getLong(5) > 0) {
      LOG.warn("item content: {} rows with NaN, infinite or null values were set to the zero vector{}", c.getLong(5),
          Examples.of(itemContent.where(col("repaired")).select("item"), "item"));
    }
    out.writeParquet("item_content", itemContent.select("item", "features", "has_content").orderBy("item"), items);

    List<RowAccounting> accounting = List.of(interactionRows, contentRows);
    LOG.info("data quality of {}:\n{}", run.root(), RowAccounting.table(accounting));
    accounting.forEach(RowAccounting::verify);
    quality.put("row_accounting", RowAccounting.toMap(accounting));
    out.writeJson("quality.json", quality);
    read.unpersist();
  }

  /**
   * Parquet content: item (int, or any type with aldi.data.ids = string), features: an array of numbers (stored as
   * array&lt;float&gt;) or an ml Vector (rows kept sparse, {@link ContentColumn}) of the configured dimension. Returns
   * (item, features, has_content, repaired): a row with a NaN, infinite or null value becomes the zero vector
   * (repaired = true, has_content = false).
   */
  private static Dataset<Row> readParquetContent(SparkSession spark, String path, int dimension, boolean stringIds) {
    Dataset<Row> df = spark.read().parquet(path);
    List<String> names = Arrays.asList(df.columns());
    if (!names.contains("item") || !names.contains("features")) {
      throw new MalformedInputException(path, "columns " + names + " must include item and features");
    }
    boolean vector;
    try {
      vector = ContentColumn.isVector(df.schema(), "features");
    } catch (IllegalArgumentException e) {
      throw new MalformedInputException(path, e.getMessage());
    }
    Column item = stringIds ? InteractionSource.stringId(df, "item", path)
        : InteractionSource.integerId(df, "item", path);
    Dataset<Row> typed = df.select(item.as("item"),
        ContentColumn.stored(col("features"), vector).as("features"));
    Column length = ContentColumn.dimension(col("features"), vector);
    Dataset<Row> bad = typed.where(col("features").isNull().or(length.notEqual(dimension)));
    long n = bad.count();
    if (n > 0) {
      throw new MalformedInputException(path, n + " rows have no features or features whose length is not "
          + "aldi.data.content.dimension = " + dimension + Examples.of(bad.withColumn("length", length), "item"));
    }
    Dataset<Row> duplicates = typed.groupBy("item").count().where(col("count").gt(1));
    long d = duplicates.count();
    if (d > 0) {
      throw new MalformedInputException(path, d + " items have more than one content row"
          + Examples.of(duplicates, "item"));
    }
    Column finite = ContentColumn.finite(col("features"), vector);
    return typed.select(col("item"),
        when(finite, col("features")).otherwise(ContentColumn.zero(dimension, vector)).as("features"),
        finite.and(ContentColumn.hasNonZero(col("features"), vector)).as("has_content"),
        not(finite).as("repaired"));
  }

  /**
   * Content rows joined with the distinct interaction items (full outer join), so that every item of either
   * side gets a row; items without a content row get the zero vector and has_content = false.
   */
  private static Dataset<Row> withInteractionItems(Dataset<Row> content, Dataset<Row> interactions, Column zero) {
    Dataset<Row> items = interactions.select("item").distinct().withColumn("in_interactions", lit(true));
    return content.withColumn("in_content", lit(true))
        .join(items, "item", "full_outer")
        .select(col("item"),
            coalesce(col("features"), zero).as("features"),
            coalesce(col("has_content"), lit(false)).as("has_content"),
            coalesce(col("repaired"), lit(false)).as("repaired"),
            coalesce(col("in_content"), lit(false)).as("in_content"),
            coalesce(col("in_interactions"), lit(false)).as("in_interactions"));
  }
}
