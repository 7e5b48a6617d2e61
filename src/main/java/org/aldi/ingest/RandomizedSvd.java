package org.aldi.ingest;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.mllib.linalg.SparseVector;

/**
 * Seeded randomized truncated SVD (Halko, Martinsson &amp; Tropp 2011, Alg. 4.4 with power iterations) of a
 * distributed sparse matrix A (m x n, rows keyed by id), returning the rows of A·V_k.
 *
 * <p>Why not MLlib's {@code computeSVD}: at n = 19k columns it takes the distributed ARPACK path, which runs one
 * Spark job per Lanczos step; k = 16 already took 14 s on 2 cores, k = 300 would take many minutes. Here every
 * step is one pass over A: Y = A·W (the sketch), its Gramian for orthonormalisation, and Z = Aᵀ·Q. The driver
 * holds n x l and l x l matrices (n = columns, l = k + oversampling), never anything of size m.
 *
 * <p>Steps: W = Ω (n x l, Gaussian from the seed); repeat (1 + power iterations) times: Q = orth(A·W) via the
 * eigen-decomposition of (A·W)ᵀ(A·W), Z = Aᵀ·Q, W = Z. Then B = Qᵀ·A = Zᵀ; its SVD comes from the
 * eigen-decomposition of ZᵀZ = Ub·S²·Ubᵀ; V_k = Z·Ub_k·S_k⁻¹, and the result is A·V_k (= U_k·S_k).
 */
final class RandomizedSvd {
  static final int OVERSAMPLING = 20;
  static final int POWER_ITERATIONS = 2;
  private static final double GRAM_TOLERANCE = 1e-12;

  /** Singular values (descending, those above rcond times the largest) and the rows of A·V_k. */
  record Result(double[] sigma, JavaPairRDD<Integer, double[]> projected) {}

  private RandomizedSvd() {}

  static Result compute(JavaPairRDD<Integer, SparseVector> a, int n, int k, long seed, double rcond) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(a.context());
    int l = Math.min(k + OVERSAMPLING, n);
    Random random = new Random(seed);
    double[] w = new double[n * l];
    for (int i = 0; i < w.length; i++) {
      w[i] = random.nextGaussian();
    }
    double[] z = w; // Z = Aᵀ·Q, n x zCols row-major, after the loop
    int zCols = l;
    for (int step = 0; step <= POWER_ITERATIONS; step++) {
      Broadcast<double[]> wB = jsc.broadcast(w);
      int cols = w.length / n;
      double[] gram = a.values()
          .mapPartitions(rows -> {
            double[] g = new double[cols * cols];
            rows.forEachRemaining(row -> addOuter(g, times(row, wB.value(), cols), cols));
            return List.of(g).iterator();
          })
          .treeReduce(RandomizedSvd::addInPlace);
      double[] m = orthonormaliser(gram, cols); // Q = (A·W)·M has orthonormal columns
      int qCols = m.length / cols;
      Broadcast<double[]> mB = jsc.broadcast(m);
      double[] zt = a.values()
          .mapPartitions(rows -> {
            double[] acc = new double[n * qCols];
            rows.forEachRemaining(row -> {
              double[] q = timesDense(times(row, wB.value(), cols), mB.value(), cols, qCols);
              int[] idx = row.indices();
              double[] val = row.values();
              for (int t = 0; t < idx.length; t++) { // Z += a_iᵀ q_i
                int base = idx[t] * qCols;
                for (int c = 0; c < qCols; c++) {
                  acc[base + c] += val[t] * q[c];
                }
              }
            });
            return List.of(acc).iterator();
          })
          .treeReduce(RandomizedSvd::addInPlace);
      wB.destroy();
      mB.destroy();
      z = zt;
      zCols = qCols;
      w = zt;
    }
    // B = Zᵀ; B·Bᵀ = ZᵀZ = Ub·S²·Ubᵀ
    double[] ztz = new double[zCols * zCols];
    for (int r = 0; r < n; r++) {
      addOuter(ztz, Arrays.copyOfRange(z, r * zCols, (r + 1) * zCols), zCols);
    }
    EigenDecomposition eig = new EigenDecomposition(symmetric(ztz, zCols));
    double[] lambda = eig.getRealEigenvalues(); // descending
    int rank = 0;
    while (rank < Math.min(k, lambda.length) && lambda[rank] > 0
        && Math.sqrt(lambda[rank]) > rcond * Math.sqrt(lambda[0])) {
      rank++;
    }
    double[] sigma = new double[rank];
    double[] ubScaled = new double[zCols * rank]; // Ub_k·S_k⁻¹
    for (int j = 0; j < rank; j++) {
      sigma[j] = Math.sqrt(lambda[j]);
      double[] u = eig.getEigenvector(j).toArray();
      for (int c = 0; c < zCols; c++) {
        ubScaled[c * rank + j] = u[c] / sigma[j];
      }
    }
    double[] v = new double[n * rank]; // V_k = Z·Ub_k·S_k⁻¹
    for (int r = 0; r < n; r++) {
      double[] row = timesDense(Arrays.copyOfRange(z, r * zCols, (r + 1) * zCols), ubScaled, zCols, rank);
      System.arraycopy(row, 0, v, r * rank, rank);
    }
    Broadcast<double[]> vB = jsc.broadcast(v);
    int outCols = rank;
    return new Result(sigma, a.mapValues(row -> times(row, vB.value(), outCols)));
  }

  /** a·W for a sparse row a and a row-major n x cols matrix W. */
  private static double[] times(SparseVector a, double[] w, int cols) {
    double[] out = new double[cols];
    int[] idx = a.indices();
    double[] val = a.values();
    for (int t = 0; t < idx.length; t++) {
      int base = idx[t] * cols;
      for (int c = 0; c < cols; c++) {
        out[c] += val[t] * w[base + c];
      }
    }
    return out;
  }

  /** x·M for a dense row x (length rows) and a row-major rows x cols matrix M. */
  private static double[] timesDense(double[] x, double[] m, int rows, int cols) {
    double[] out = new double[cols];
    for (int r = 0; r < rows; r++) {
      if (x[r] != 0) {
        int base = r * cols;
        for (int c = 0; c < cols; c++) {
          out[c] += x[r] * m[base + c];
        }
      }
    }
    return out;
  }

  /** g += yᵀy (upper triangle only; {@link #symmetric} mirrors it). */
  private static void addOuter(double[] g, double[] y, int cols) {
    for (int i = 0; i < cols; i++) {
      if (y[i] != 0) {
        int base = i * cols;
        for (int j = i; j < cols; j++) {
          g[base + j] += y[i] * y[j];
        }
      }
    }
  }

  private static double[] addInPlace(double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) {
      x[i] += y[i];
    }
    return x;
  }

  private static RealMatrix symmetric(double[] upper, int cols) {
    double[][] full = new double[cols][cols];
    for (int i = 0; i < cols; i++) {
      for (int j = i; j < cols; j++) {
        full[i][j] = upper[i * cols + j];
        full[j][i] = upper[i * cols + j];
      }
    }
    return new Array2DRowRealMatrix(full, false);
  }

  /**
   * For the Gramian G = YᵀY = V·Λ·Vᵀ, the matrix M = V·Λ^(-1/2) (row-major, cols x r) such that Y·M has
   * orthonormal columns; directions with eigenvalue below {@link #GRAM_TOLERANCE} times the largest (numerically
   * zero in a Gramian) are dropped.
   */
  private static double[] orthonormaliser(double[] gramUpper, int cols) {
    EigenDecomposition eig = new EigenDecomposition(symmetric(gramUpper, cols));
    double[] lambda = eig.getRealEigenvalues();
    int r = 0;
    while (r < cols && lambda[r] > GRAM_TOLERANCE * lambda[0]) {
      r++;
    }
    double[] m = new double[cols * r];
    for (int j = 0; j < r; j++) {
      double[] v = eig.getEigenvector(j).toArray();
      double s = 1.0 / Math.sqrt(lambda[j]);
      for (int c = 0; c < cols; c++) {
        m[c * r + j] = v[c] * s;
      }
    }
    return m;
  }
}
