package org.aldi.content;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.array_repeat;
import static org.apache.spark.sql.functions.exists;
import static org.apache.spark.sql.functions.forall;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.udf;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF0;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;

/**
 * Item content columns, dense or sparse, as every stage reads them: an array of numbers (dense content, stored as
 * array&lt;float&gt;, e.g. CiteULike's 300-d SVD vectors) or a Spark ML Vector (sparse content, e.g. XING's 2,738
 * binary attributes with a few dozen set; Parquet stores a SparseVector as its size, indices and values only).
 * Sparse rows are never densified here.
 */
public final class ContentColumn {
  private ContentColumn() {}

  /** True for an ml Vector column, false for an array of numbers; anything else is an error naming the column. */
  public static boolean isVector(StructType schema, String column) {
    DataType type = schema.apply(column).dataType();
    if (type instanceof VectorUDT) {
      return true;
    }
    if (type instanceof ArrayType array && array.elementType() instanceof NumericType) {
      return false;
    }
    throw new IllegalArgumentException("content column '" + column + "' must be an array of numbers or an ml "
        + "Vector, got " + type.simpleString());
  }

  /**
   * The column in the pipeline's storage type: array&lt;float&gt; for arrays; for ml Vectors each row in its more
   * compact form (sparse unless most entries are set, {@link Vector#compressed()}).
   */
  public static Column stored(Column content, boolean vector) {
    return vector ? udf((UDF1<Vector, Vector>) v -> v == null ? null : v.compressed(), new VectorUDT()).apply(content)
        : content.cast(DataTypes.createArrayType(DataTypes.FloatType));
  }

  /** The dimension of each row (null for a null row). */
  public static Column dimension(Column content, boolean vector) {
    return vector ? udf((UDF1<Vector, Integer>) v -> v == null ? null : v.size(), DataTypes.IntegerType).apply(content)
        : size(content);
  }

  /** True where the row has a non-zero entry. */
  public static Column hasNonZero(Column content, boolean vector) {
    return vector
        ? udf((UDF1<Vector, Boolean>) v -> v != null && v.numNonzeros() > 0, DataTypes.BooleanType).apply(content)
        : exists(content, x -> x.notEqual(lit(0)));
  }

  /** True where every value of the row is a number: not null, NaN or infinite. */
  public static Column finite(Column content, boolean vector) {
    return vector
        ? udf((UDF1<Vector, Boolean>) v -> v != null && Arrays.stream(v.toSparse().values()).allMatch(Double::isFinite),
            DataTypes.BooleanType).apply(content)
        : forall(content, x -> x.isNotNull().and(not(isnan(x))).and(abs(x).lt(lit(Float.POSITIVE_INFINITY))));
  }

  /** The zero vector of a dimension in the column's type. */
  public static Column zero(int dimension, boolean vector) {
    Vector zero = Vectors.sparse(dimension, new int[0], new double[0]);
    return vector ? udf((UDF0<Vector>) () -> zero, new VectorUDT()).apply() : array_repeat(lit(0f), dimension);
  }

  /** The dimension of the first row of a content column. */
  public static int dimensionOf(Dataset<Row> data, String column) {
    List<Row> first = data.select(dimension(data.col(column), isVector(data.schema(), column))).takeAsList(1);
    if (first.isEmpty() || first.get(0).isNullAt(0)) {
      throw new IllegalArgumentException("no content vector in column " + column);
    }
    return first.get(0).getInt(0);
  }
}
