package org.aldi.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.trim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.aldi.config.Settings;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads the source interactions (aldi.data.interactions) in their format as rows (user, item, weight, timestamp),
 * duplicates still in. With aldi.data.ids = integer, user and item are ints &gt;= 0; with "string", they are the
 * trimmed, non-empty id texts (mapped to indices later, {@link IdIndex}). Every malformed row stops ingest with a
 * {@link MalformedInputException} naming the file, the row and the reason; blank csv lines are skipped and
 * counted as rejected rows.
 */
final class InteractionSource {
  static final StructType INTEGER_IDS = new StructType()
      .add("user", DataTypes.IntegerType, false)
      .add("item", DataTypes.IntegerType, false)
      .add("weight", DataTypes.FloatType, true)
      .add("timestamp", DataTypes.LongType, true);
  static final StructType STRING_IDS = new StructType()
      .add("user", DataTypes.StringType, false)
      .add("item", DataTypes.StringType, false)
      .add("weight", DataTypes.FloatType, true)
      .add("timestamp", DataTypes.LongType, true);

  private InteractionSource() {}

  /** The rows; blank csv lines are counted as rejected in the accounting (rows in is counted by the caller). */
  static Dataset<Row> read(SparkSession spark, Settings.Data data, RowAccounting accounting) {
    String path = data.interactionsPath;
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    return switch (data.interactionsFormat) {
      case "citeulike-users" -> spark.createDataFrame(jsc.textFile(path).zipWithIndex().flatMap(t -> {
        // user = 0-based line number (zipWithIndex keeps the file order)
        int user = Math.toIntExact(t._2);
        List<Row> rows = new ArrayList<>();
        for (int item : LineFormat.countedIds(path, t._2, t._1)) {
          rows.add(RowFactory.create(user, item, null, null));
        }
        return rows.iterator();
      }), INTEGER_IDS);
      case "csv" -> csv(spark, jsc, path, data.stringIds, accounting);
      case "parquet" -> parquet(spark, path, data.stringIds);
      default -> throw new IllegalArgumentException("unknown interactions format " + data.interactionsFormat);
    };
  }

  /**
   * Plain CSV (no quoting) with a header naming user,item and optionally weight,timestamp, in any order. Blank
   * lines are skipped (rejected rows, counted); every other line needs as many fields as the header.
   */
  private static Dataset<Row> csv(SparkSession spark, JavaSparkContext jsc, String path, boolean stringIds,
      RowAccounting accounting) {
    JavaRDD<String> lines = jsc.textFile(path);
    if (lines.isEmpty()) {
      throw new MalformedInputException(path, "the file is empty; expected a header line naming the columns user "
          + "and item, then one line per interaction");
    }
    List<String> header = Arrays.stream(lines.first().split(",", -1)).map(String::trim).toList();
    int user = header.indexOf("user");
    int item = header.indexOf("item");
    int weight = header.indexOf("weight");
    int timestamp = header.indexOf("timestamp");
    if (user < 0 || item < 0) {
      throw new MalformedInputException(path, 1, "the header " + header + " must name the columns user and item");
    }
    int columns = header.size();
    JavaPairRDD<String, Long> body = lines.zipWithIndex().filter(t -> t._2 > 0);
    accounting.rejected("blank_line", body.filter(t -> t._1.isBlank()).count());
    JavaRDD<Row> rows = body.filter(t -> !t._1.isBlank()).map(t -> {
      long lineNumber = t._2 + 1;
      String[] f = t._1.split(",", -1);
      if (f.length != columns) {
        throw new MalformedInputException(path, lineNumber, f.length + " fields, the header " + header + " has "
            + columns);
      }
      Object u = stringIds ? LineFormat.nonEmpty(path, t._2, f[user], "user")
          : LineFormat.nonNegativeInt(path, t._2, f[user], "user");
      Object i = stringIds ? LineFormat.nonEmpty(path, t._2, f[item], "item")
          : LineFormat.nonNegativeInt(path, t._2, f[item], "item");
      return RowFactory.create(u, i,
          weight < 0 ? null : LineFormat.optionalFloat(path, t._2, f[weight], "weight"),
          timestamp < 0 ? null : LineFormat.optionalLong(path, t._2, f[timestamp], "timestamp"));
    });
    return spark.createDataFrame(rows, stringIds ? STRING_IDS : INTEGER_IDS);
  }

  private static Dataset<Row> parquet(SparkSession spark, String path, boolean stringIds) {
    Dataset<Row> df = spark.read().parquet(path);
    List<String> names = Arrays.asList(df.columns());
    if (!names.contains("user") || !names.contains("item")) {
      throw new MalformedInputException(path, "columns " + names + " must include user and item");
    }
    Column u = stringIds ? stringId(df, "user", path) : integerId(df, "user", path);
    Column i = stringIds ? stringId(df, "item", path) : integerId(df, "item", path);
    return df.select(u.as("user"), i.as("item"),
        (names.contains("weight") ? col("weight") : lit(null)).cast(DataTypes.FloatType).as("weight"),
        (names.contains("timestamp") ? col("timestamp") : lit(null)).cast(DataTypes.LongType).as("timestamp"));
  }

  /**
   * An integer id column (aldi.data.ids = integer) as int, after checking that its type is integral and every
   * value is in [0, Integer.MAX_VALUE]; a text column or a bad value stops ingest naming examples.
   */
  static Column integerId(Dataset<Row> df, String column, String path) {
    DataType type = df.schema().apply(column).dataType();
    if (!(type.equals(DataTypes.IntegerType) || type.equals(DataTypes.LongType) || type.equals(DataTypes.ShortType)
        || type.equals(DataTypes.ByteType))) {
      throw new MalformedInputException(path, "column " + column + " has type " + type.simpleString()
          + ", but aldi.data.ids = integer needs integer ids >= 0; for text ids set aldi.data.ids = string");
    }
    Column value = col(column).cast(DataTypes.LongType);
    Dataset<Row> bad = df.where(value.isNull().or(value.lt(0)).or(value.gt(Integer.MAX_VALUE)));
    long n = bad.count();
    if (n > 0) {
      throw new MalformedInputException(path, n + " rows have a null, negative or too large " + column + " (ids "
          + "must be integers in [0, " + Integer.MAX_VALUE + "])" + Examples.of(bad));
    }
    return value.cast(DataTypes.IntegerType);
  }

  /** A text id column (aldi.data.ids = string): any type cast to text and trimmed; null or empty stops ingest. */
  static Column stringId(Dataset<Row> df, String column, String path) {
    Column value = trim(col(column).cast(DataTypes.StringType));
    Dataset<Row> bad = df.where(value.isNull().or(value.equalTo("")));
    long n = bad.count();
    if (n > 0) {
      throw new MalformedInputException(path, n + " rows have a null or empty " + column + Examples.of(bad));
    }
    return value;
  }
}
