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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aldi.config.Settings;
import org.aldi.content.ContentColumn;
import org.aldi.store.RunFolder;
import org.aldi.store.Stage;
import org.aldi.store.StageOutput;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage "input": reads the interactions and the item content in their source formats and writes them in the
 * pipeline's own schema (data-schemas/input.*.json), with a data-quality report.
 *
 * <ul>
 *   <li>{@code input/interactions} (user:int, item:int, weight:float?, timestamp:long?), one row per (user, item);
 *       duplicates collapse into one row with the largest weight and the smallest timestamp, and are counted.
 *   <li>{@code input/item_content} (item:int, features, has_content:boolean) for every item that occurs in the
 *       interactions or in the content file; items without content get the zero vector. features is
 *       array&lt;float&gt; (dense content) or, when the source content is an ml Vector column, an ml Vector whose
 *       sparse rows stay sparse ({@link ContentColumn}).
 *   <li>{@code input/quality.json}: counts of rows read, duplicates, users, items, missing content.
 * </ul>
 * A malformed line fails the stage with a {@link MalformedInputException} naming the file, line and reason.
 */
public final class IngestStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(IngestStage.class);

  static final StructType INTERACTION_SCHEMA = new StructType()
      .add("user", DataTypes.IntegerType, false)
      .add("item", DataTypes.IntegerType, false)
      .add("weight", DataTypes.FloatType, true)
      .add("timestamp", DataTypes.LongType, true);
  static final StructType CONTENT_SCHEMA = new StructType()
      .add("item", DataTypes.IntegerType, false)
      .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
      .add("has_content", DataTypes.BooleanType, false);

  @Override
  public String name() {
    return RunFolder.INPUT;
  }

  @Override
  public void run(RunFolder run, Settings settings) {
    StageOutput.write(run, name(), settings, out -> write(run, settings, out), MalformedInputException.class);
  }

  private void write(RunFolder run, Settings settings, StageOutput out) {
    SparkSession spark = run.spark();
    Settings.Data data = settings.data;
    Map<String, Object> quality = new LinkedHashMap<>();

    LOG.info("reading interactions: {} ({})", data.interactionsPath, data.interactionsFormat);
    Dataset<Row> raw = readInteractions(spark, data.interactionsPath, data.interactionsFormat)
        .repartition(settings.spark.partitions)
        .persist(StorageLevel.MEMORY_AND_DISK());
    long rowsRead = raw.count();
    Dataset<Row> interactions = raw.groupBy("user", "item")
        .agg(max("weight").as("weight"), min("timestamp").as("timestamp"))
        .persist(StorageLevel.MEMORY_AND_DISK());
    Row stats = interactions.agg(count(lit(1)), countDistinct(col("user")), countDistinct(col("item"))).first();
    long rows = stats.getLong(0);
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

    LOG.info("reading item content: {} ({})", data.contentPath, data.contentFormat);
    Dataset<Row> content;
    if (data.contentFormat.equals("citeulike-tags")) {
      TagContent.Result tags = TagContent.build(spark, data.contentPath, data.minItemFrequency,
          data.contentDimension, settings.spark.partitions, settings.run.seed);
      content = tags.vectors();
      quality.put("content", tags.stats());
    } else {
      content = readParquetContent(spark, data.contentPath, data.contentDimension);
    }
    boolean sparse = ContentColumn.isVector(content.schema(), "features");
    quality.put("content_storage", sparse ? "sparse (ml Vector)" : "dense (array<float>)");
    Dataset<Row> itemContent = withInteractionItems(content, interactions, ContentColumn.zero(data.contentDimension,
        sparse)).persist(StorageLevel.MEMORY_AND_DISK());
    Row c = itemContent.agg(
        count(lit(1)),
        sum(when(col("in_content").and(not(col("has_content"))), 1).otherwise(0)),
        sum(when(not(col("in_content")), 1).otherwise(0)),
        sum(when(not(col("in_interactions")), 1).otherwise(0))).first();
    long items = c.getLong(0);
    quality.put("items", items);
    quality.put("items_with_content_row_but_zero_vector", c.getLong(1));
    quality.put("items_in_interactions_without_content_row", c.getLong(2));
    quality.put("content_only_items", c.getLong(3));
    LOG.info("item content: {} items; {} with a content row but no (kept) content, {} interaction items without a "
        + "content row, {} content-only items", items, c.getLong(1), c.getLong(2), c.getLong(3));
    out.writeParquet("item_content", itemContent.select("item", "features", "has_content").orderBy("item"), items);
    out.writeJson("quality.json", quality);
    raw.unpersist();
  }

  /** Rows of (user, item, weight, timestamp), duplicates still in. */
  static Dataset<Row> readInteractions(SparkSession spark, String path, String format) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    return switch (format) {
      case "citeulike-users" -> spark.createDataFrame(jsc.textFile(path).zipWithIndex().flatMap(t -> {
        // user = 0-based line number (zipWithIndex keeps the file order)
        int user = Math.toIntExact(t._2);
        List<Row> rows = new ArrayList<>();
        for (int item : LineFormat.countedIds(path, t._2, t._1)) {
          rows.add(RowFactory.create(user, item, null, null));
        }
        return rows.iterator();
      }), INTERACTION_SCHEMA);
      case "csv" -> spark.createDataFrame(csvRows(jsc, path), INTERACTION_SCHEMA);
      case "parquet" -> parquetInteractions(spark, path);
      default -> throw new IllegalArgumentException("unknown interactions format " + format);
    };
  }

  /** Plain CSV (no quoting) with a header naming user,item and optionally weight,timestamp, in any order. */
  private static JavaRDD<Row> csvRows(JavaSparkContext jsc, String path) {
    JavaRDD<String> lines = jsc.textFile(path);
    List<String> header = Arrays.stream(lines.first().split(",", -1)).map(String::trim).toList();
    int user = header.indexOf("user");
    int item = header.indexOf("item");
    int weight = header.indexOf("weight");
    int timestamp = header.indexOf("timestamp");
    if (user < 0 || item < 0) {
      throw new MalformedInputException(path, 1, "the header " + header + " must name the columns user and item");
    }
    int columns = header.size();
    return lines.zipWithIndex().filter(t -> t._2 > 0).map(t -> {
      String[] f = t._1.split(",", -1);
      if (f.length != columns) {
        throw new MalformedInputException(path, t._2 + 1, f.length + " fields, the header has " + columns);
      }
      try {
        return RowFactory.create(
            LineFormat.nonNegativeInt(path, t._2, f[user], "user"),
            LineFormat.nonNegativeInt(path, t._2, f[item], "item"),
            weight < 0 || f[weight].isBlank() ? null : Float.parseFloat(f[weight].trim()),
            timestamp < 0 || f[timestamp].isBlank() ? null : Long.parseLong(f[timestamp].trim()));
      } catch (NumberFormatException e) {
        throw new MalformedInputException(path, t._2 + 1, "weight or timestamp is not a number: " + t._1);
      }
    });
  }

  private static Dataset<Row> parquetInteractions(SparkSession spark, String path) {
    Dataset<Row> df = spark.read().parquet(path);
    List<String> names = Arrays.asList(df.columns());
    if (!names.contains("user") || !names.contains("item")) {
      throw new MalformedInputException(path, "columns " + names + " must include user and item");
    }
    Dataset<Row> typed = df.select(
        col("user").cast(DataTypes.IntegerType).as("user"),
        col("item").cast(DataTypes.IntegerType).as("item"),
        (names.contains("weight") ? col("weight") : lit(null)).cast(DataTypes.FloatType).as("weight"),
        (names.contains("timestamp") ? col("timestamp") : lit(null)).cast(DataTypes.LongType).as("timestamp"));
    long bad = typed.filter(col("user").isNull().or(col("item").isNull())
        .or(col("user").lt(0)).or(col("item").lt(0))).count();
    if (bad > 0) {
      throw new MalformedInputException(path, bad + " rows have a null, negative or non-integer user or item");
    }
    return typed;
  }

  /**
   * Parquet content: item:int and features, an array of numbers (stored as array&lt;float&gt;) or an ml Vector (rows
   * kept sparse), of the configured dimension; used as is.
   */
  private static Dataset<Row> readParquetContent(SparkSession spark, String path, int dimension) {
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
    Dataset<Row> typed = df.select(col("item").cast(DataTypes.IntegerType).as("item"),
        ContentColumn.stored(col("features"), vector).as("features"));
    long bad = typed.filter(col("item").isNull().or(col("item").lt(0)).or(col("features").isNull())
        .or(ContentColumn.dimension(col("features"), vector).notEqual(dimension))).count();
    if (bad > 0) {
      throw new MalformedInputException(path, bad + " rows have a null or negative item, or features whose length "
          + "is not aldi.data.content.dimension = " + dimension);
    }
    long duplicates = typed.count() - typed.select("item").distinct().count();
    if (duplicates > 0) {
      throw new MalformedInputException(path, duplicates + " items have more than one content row");
    }
    return typed.withColumn("has_content", ContentColumn.hasNonZero(col("features"), vector));
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
            coalesce(col("in_content"), lit(false)).as("in_content"),
            coalesce(col("in_interactions"), lit(false)).as("in_interactions"));
  }
}
