package org.aldi.ranking;

import static org.apache.spark.sql.functions.col;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The items a ranking may return, with their vectors: ids in ascending order and an (items x dim) row-major
 * matrix. It grows with the number of items, not with interactions, so it is built on the driver and broadcast.
 */
public final class Candidates implements Serializable {
  private static final long serialVersionUID = 1L;
  /** Vectors are read as float arrays whatever their stored element type. */
  static final DataType FLOAT_ARRAY = DataTypes.createArrayType(DataTypes.FloatType);

  private final int[] ids;
  private final float[] vectors;
  private final int dim;

  private Candidates(int[] ids, float[] vectors, int dim) {
    this.ids = ids;
    this.vectors = vectors;
    this.dim = dim;
  }

  /** Candidates from parallel arrays; they are sorted by id. Ids must be distinct and vectors equally long. */
  public static Candidates of(int[] ids, float[][] vectors) {
    if (ids.length != vectors.length) {
      throw new IllegalArgumentException(ids.length + " ids but " + vectors.length + " vectors");
    }
    Integer[] order = new Integer[ids.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Integer.compare(ids[a], ids[b]));
    int dim = vectors.length == 0 ? 0 : vectors[0].length;
    int[] sortedIds = new int[ids.length];
    float[] matrix = new float[ids.length * dim];
    for (int r = 0; r < order.length; r++) {
      int i = order[r];
      if (r > 0 && ids[i] == sortedIds[r - 1]) {
        throw new IllegalArgumentException("duplicate candidate item " + ids[i]);
      }
      if (vectors[i].length != dim) {
        throw new IllegalArgumentException("item " + ids[i] + " has a " + vectors[i].length
            + "-d vector, the others " + dim + "-d");
      }
      sortedIds[r] = ids[i];
      System.arraycopy(vectors[i], 0, matrix, r * dim, dim);
    }
    return new Candidates(sortedIds, matrix, dim);
  }

  /**
   * Collects (item:int, vector:array&lt;float&gt;) rows to the driver, keeping only the items in allowedSortedIds
   * (ascending ids).
   */
  public static Candidates collect(Dataset<Row> items, int[] allowedSortedIds) {
    List<Row> rows = items.select(col("item"), col("vector").cast(FLOAT_ARRAY)).collectAsList();
    int n = 0;
    int[] ids = new int[rows.size()];
    float[][] vectors = new float[rows.size()][];
    for (Row row : rows) {
      int id = row.getInt(0);
      if (Arrays.binarySearch(allowedSortedIds, id) >= 0) {
        ids[n] = id;
        vectors[n++] = toFloats(row.getList(1));
      }
    }
    return of(Arrays.copyOf(ids, n), Arrays.copyOf(vectors, n));
  }

  static float[] toFloats(List<Float> values) {
    float[] v = new float[values.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = values.get(i);
    }
    return v;
  }

  /** Item ids in ascending order (do not modify). */
  public int[] ids() {
    return ids;
  }

  /** Row-major (size x dim) vectors (do not modify). */
  public float[] vectors() {
    return vectors;
  }

  public int dim() {
    return dim;
  }

  public int size() {
    return ids.length;
  }

  /** Index of an item among the candidates, or a negative number when it is not one. */
  public int indexOf(int item) {
    return Arrays.binarySearch(ids, item);
  }
}
