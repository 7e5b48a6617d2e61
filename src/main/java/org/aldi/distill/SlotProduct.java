package org.aldi.distill;

import java.util.Arrays;

/**
 * Sparse rows times a dense matrix, for content in the slot layout of {@link ContentTable} (per row, `slots`
 * attribute indices, then their values; padding has value 0): h_r = sum_k value_rk * W[index_rk] (the first layer of
 * the item tower, Eq. 8), and its weight gradient dW[index_rk] += value_rk * dh_r, a scatter-add. Work and memory
 * are nnz x hidden per row, never dim x hidden. Arrays are row-major, in float (training, inference) or in double (a
 * network in double precision, as the gradient checks use): the two overloads of each loop are the same loop.
 */
final class SlotProduct {
  private SlotProduct() {}

  /**
   * out[r * outStride + outOffset + j] = sum_k value_rk * w[index_rk * hidden + j] for rows r of n; the slots of row r
   * start at x[r * xStride + xOffset].
   */
  static void forward(float[] x, int xStride, int xOffset, int n, int slots, float[] w, int dim, int hidden,
      float[] out, int outStride, int outOffset) {
    for (int r = 0; r < n; r++) {
      int in = r * xStride + xOffset;
      int o = r * outStride + outOffset;
      Arrays.fill(out, o, o + hidden, 0f);
      for (int s = 0; s < slots; s++) {
        float value = x[in + slots + s];
        if (value != 0) {
          int row = index(x[in + s], dim) * hidden;
          for (int j = 0; j < hidden; j++) {
            out[o + j] += value * w[row + j];
          }
        }
      }
    }
  }

  /** {@link #forward(float[], int, int, int, int, float[], int, int, float[], int, int)} in double. */
  static void forward(double[] x, int xStride, int xOffset, int n, int slots, double[] w, int dim, int hidden,
      double[] out, int outStride, int outOffset) {
    for (int r = 0; r < n; r++) {
      int in = r * xStride + xOffset;
      int o = r * outStride + outOffset;
      Arrays.fill(out, o, o + hidden, 0.0);
      for (int s = 0; s < slots; s++) {
        double value = x[in + slots + s];
        if (value != 0) {
          int row = index(x[in + s], dim) * hidden;
          for (int j = 0; j < hidden; j++) {
            out[o + j] += value * w[row + j];
          }
        }
      }
    }
  }

  /** dw[index_rk * hidden + j] += value_rk * dh[r * dhStride + dhOffset + j]: the weight gradient of forward. */
  static void backward(float[] x, int xStride, int xOffset, int n, int slots, float[] dh, int dhStride, int dhOffset,
      int dim, int hidden, float[] dw) {
    for (int r = 0; r < n; r++) {
      int in = r * xStride + xOffset;
      int g = r * dhStride + dhOffset;
      for (int s = 0; s < slots; s++) {
        float value = x[in + slots + s];
        if (value != 0) {
          int row = index(x[in + s], dim) * hidden;
          for (int j = 0; j < hidden; j++) {
            dw[row + j] += value * dh[g + j];
          }
        }
      }
    }
  }

  /** {@link #backward(float[], int, int, int, int, float[], int, int, int, int, float[])} in double. */
  static void backward(double[] x, int xStride, int xOffset, int n, int slots, double[] dh, int dhStride,
      int dhOffset, int dim, int hidden, double[] dw) {
    for (int r = 0; r < n; r++) {
      int in = r * xStride + xOffset;
      int g = r * dhStride + dhOffset;
      for (int s = 0; s < slots; s++) {
        double value = x[in + slots + s];
        if (value != 0) {
          int row = index(x[in + s], dim) * hidden;
          for (int j = 0; j < hidden; j++) {
            dw[row + j] += value * dh[g + j];
          }
        }
      }
    }
  }

  private static int index(double stored, int dim) {
    int index = (int) stored;
    if (index != stored || index < 0 || index >= dim) {
      throw new IllegalArgumentException("content attribute index " + stored + " is not an integer in [0, " + dim + ")");
    }
    return index;
  }
}
