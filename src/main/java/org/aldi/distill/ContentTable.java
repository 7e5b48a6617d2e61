package org.aldi.distill;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.aldi.content.ContentColumn;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Item content by item id, as the item tower reads it: dense rows (an array column, e.g. CiteULike's 300-d SVD
 * content) in one float array, or sparse rows (an ml Vector column, e.g. XING's 2,738 binary attributes with a few
 * dozen set) in compressed sparse row form, never densified. Item-sized, built on the driver and broadcast.
 *
 * <p>A row goes into a minibatch in one of two layouts ({@link #width()} floats): dense, the c values; or
 * "slots", {@link #slots()} attribute indices followed by their values, padded with (0, 0), which the item tower's
 * first layer turns into sum_k value_k * W1[index_k] ({@link AldiLayer}, {@link StudentTowers}). Sparse rows use
 * the slot layout when it is narrower than the dense one (2 * max non-zeros &lt; c); otherwise they are written
 * out densely, which is then the cheaper form.
 */
public final class ContentTable implements Serializable {
  private static final long serialVersionUID = 1L;
  /** Attribute indices travel as floats in a minibatch: exact up to 2^24. */
  static final int MAX_SLOT_DIMENSION = 1 << 24;

  private final int[] ids;
  private final int dim;
  /** Dense rows (ids.length x dim), or null. */
  private final float[] dense;
  /** Sparse rows: row r holds indices[offsets[r] .. offsets[r+1]) with their values; null when dense. */
  private final int[] offsets;
  private final int[] indices;
  private final float[] values;
  private final int slots;

  private ContentTable(int[] ids, int dim, float[] dense, int[] offsets, int[] indices, float[] values) {
    this.ids = ids;
    this.dim = dim;
    this.dense = dense;
    this.offsets = offsets;
    this.indices = indices;
    this.values = values;
    int maxNonZeros = 0;
    if (offsets != null) {
      for (int r = 0; r < ids.length; r++) {
        maxNonZeros = Math.max(maxNonZeros, offsets[r + 1] - offsets[r]);
      }
    }
    // at least one slot, so that an all-empty table still has a valid layout
    this.slots = offsets != null && 2 * Math.max(1, maxNonZeros) < dim && dim <= MAX_SLOT_DIMENSION
        ? Math.max(1, maxNonZeros) : 0;
  }

  /**
   * Collects (id, content) rows to the driver; content is an array of numbers (dense rows) or an ml Vector (kept
   * sparse). Every row must have the same dimension and every id must be distinct.
   */
  public static ContentTable collect(Dataset<Row> data, String idColumn, String contentColumn, String what) {
    ContentColumn.isVector(data.schema(), contentColumn);
    List<Row> rows = data.select(idColumn, contentColumn).orderBy(idColumn).collectAsList();
    int[] ids = new int[rows.size()];
    List<Object> contents = new ArrayList<>(rows.size());
    for (int r = 0; r < ids.length; r++) {
      ids[r] = rows.get(r).getInt(0);
      if (r > 0 && ids[r] == ids[r - 1]) {
        throw new IllegalStateException(what + " holds id " + ids[r] + " twice");
      }
      contents.add(value(rows.get(r), 1));
    }
    return of(ids, contents, what);
  }

  /** The content of a row's column as {@link #of} takes it: an ml Vector, or a List of numbers (null if null). */
  static Object value(Row row, int column) {
    Object v = row.get(column);
    return v == null || v instanceof Vector ? v : row.getList(column);
  }

  /**
   * A table of the given rows: ids ascending and distinct; contents all of one kind, a List of numbers (an array
   * column's value: dense rows) or ml Vectors (sparse rows), of one dimension.
   */
  public static ContentTable of(int[] ids, List<Object> contents, String what) {
    int n = ids.length;
    if (n == 0) {
      throw new IllegalStateException(what + " is empty");
    }
    for (int r = 0; r < n; r++) {
      if (contents.get(r) == null) {
        throw new IllegalStateException(what + ": id " + ids[r] + " has no content (null)");
      }
    }
    if (!(contents.get(0) instanceof Vector)) {
      int dim = ((List<?>) contents.get(0)).size();
      float[] dense = new float[n * dim];
      for (int r = 0; r < n; r++) {
        List<?> v = (List<?>) contents.get(r);
        checkDimension(what, ids[r], v.size(), dim);
        for (int k = 0; k < dim; k++) {
          dense[r * dim + k] = ((Number) v.get(k)).floatValue();
        }
      }
      return new ContentTable(ids, dim, dense, null, null, null);
    }
    int dim = ((Vector) contents.get(0)).size();
    int[] offsets = new int[n + 1];
    for (int r = 0; r < n; r++) {
      Vector v = (Vector) contents.get(r);
      checkDimension(what, ids[r], v.size(), dim);
      offsets[r + 1] = offsets[r] + v.numNonzeros();
    }
    int[] indices = new int[offsets[n]];
    float[] values = new float[offsets[n]];
    for (int r = 0; r < n; r++) {
      Vector v = (Vector) contents.get(r);
      SparseVector sparse = v instanceof SparseVector sv ? sv : v.toSparse();
      int at = offsets[r];
      for (int k = 0; k < sparse.indices().length; k++) {
        if (sparse.values()[k] != 0) {
          indices[at] = sparse.indices()[k];
          values[at++] = (float) sparse.values()[k];
        }
      }
    }
    return new ContentTable(ids, dim, null, offsets, indices, values);
  }

  private static void checkDimension(String what, int id, int size, int dim) {
    if (size != dim) {
      throw new IllegalStateException(what + ": id " + id + " has content of dimension " + size + ", expected " + dim);
    }
  }

  /** Content dimension c. */
  public int dim() {
    return dim;
  }

  /** Slots per row in the sparse layout, or 0 when rows are laid out densely. */
  public int slots() {
    return slots;
  }

  /** Floats per row in a minibatch: 2 * slots (indices, then values) or c. */
  public int width() {
    return slots > 0 ? 2 * slots : dim;
  }

  /** Writes the content of id into target at offset in this table's layout; fails naming the table if missing. */
  public void copy(int id, float[] target, int offset, String what) {
    int r = Arrays.binarySearch(ids, id);
    if (r < 0) {
      throw new IllegalStateException(what + ": no row for id " + id);
    }
    if (dense != null) {
      System.arraycopy(dense, r * dim, target, offset, dim);
    } else if (slots > 0) {
      Arrays.fill(target, offset, offset + 2 * slots, 0f);
      for (int k = offsets[r], s = 0; k < offsets[r + 1]; k++, s++) {
        target[offset + s] = indices[k];
        target[offset + slots + s] = values[k];
      }
    } else {
      Arrays.fill(target, offset, offset + dim, 0f);
      for (int k = offsets[r]; k < offsets[r + 1]; k++) {
        target[offset + indices[k]] = values[k];
      }
    }
  }
}
