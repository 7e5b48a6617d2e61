package org.aldi.distill;

import java.io.Serializable;

/**
 * How a minibatch row [e_u | e_i | e_j | c_i | c_j] of the student network is laid out: teacher dimension d, content
 * dimension c, and the sparse slots per item ({@link ContentTable}): 0 when the content is dense (c values per item),
 * else each item's content takes 2 * slots floats, its attribute indices then their values.
 */
public record InputLayout(int teacherDim, int contentDim, int slots) implements Serializable {
  /** Floats of one item's content in a row. */
  public int contentWidth() {
    return slots > 0 ? 2 * slots : contentDim;
  }

  /** Floats of a row. */
  public int width() {
    return 3 * teacherDim + 2 * contentWidth();
  }

  /** Offset of the positive (0) or negative (1) item's content in a row. */
  public int contentOffset(int item) {
    return 3 * teacherDim + item * contentWidth();
  }
}
