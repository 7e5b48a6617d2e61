package org.aldi.distill;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Vectors by id (teacher embeddings, content vectors, teacher weights), dense in one float array, looked up by
 * binary search over the sorted ids. It grows with users or items, never with interactions, and is broadcast.
 */
public final class FeatureTable implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int[] ids;
  private final float[] values;
  private final int dim;

  FeatureTable(int[] ids, float[] values, int dim) {
    this.ids = ids;
    this.values = values;
    this.dim = dim;
  }

  /** Collects (id, array&lt;float&gt;) rows; every vector must have the same length. */
  public static FeatureTable collect(Dataset<Row> data, String idColumn, String vectorColumn, String what) {
    List<Row> rows = data.select(idColumn, vectorColumn).orderBy(idColumn).collectAsList();
    int n = rows.size();
    if (n == 0) {
      throw new IllegalStateException(what + " is empty");
    }
    int dim = rows.get(0).getList(1).size();
    int[] ids = new int[n];
    float[] values = new float[n * dim];
    for (int r = 0; r < n; r++) {
      Row row = rows.get(r);
      ids[r] = row.getInt(0);
      if (r > 0 && ids[r] == ids[r - 1]) {
        throw new IllegalStateException(what + " holds id " + ids[r] + " twice");
      }
      List<Object> v = row.getList(1);
      if (v.size() != dim) {
        throw new IllegalStateException(what + ": id " + ids[r] + " has a vector of length " + v.size()
            + ", expected " + dim);
      }
      for (int k = 0; k < dim; k++) {
        values[r * dim + k] = ((Number) v.get(k)).floatValue();
      }
    }
    return new FeatureTable(ids, values, dim);
  }

  /** A one-column table from a map of scalars. */
  public static FeatureTable ofScalars(Map<Integer, Float> byId) {
    int[] ids = byId.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
    float[] values = new float[ids.length];
    for (int r = 0; r < ids.length; r++) {
      values[r] = byId.get(ids[r]);
    }
    return new FeatureTable(ids, values, 1);
  }

  public int dim() {
    return dim;
  }

  /** Copies the vector of id into target at offset; fails naming the table if the id is missing. */
  public void copy(int id, float[] target, int offset, String what) {
    int r = Arrays.binarySearch(ids, id);
    if (r < 0) {
      throw new IllegalStateException(what + ": no row for id " + id);
    }
    System.arraycopy(values, r * dim, target, offset, dim);
  }
}
