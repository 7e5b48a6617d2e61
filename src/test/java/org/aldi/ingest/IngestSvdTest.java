package org.aldi.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.aldi.testing.TestSpark;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SingularValueDecomposition;
import org.apache.spark.mllib.linalg.SparseVector;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.distributed.IndexedRow;
import org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/** The randomized SVD agrees with MLlib's exact computeSVD on a sparse matrix with a decaying spectrum. */
class IngestSvdTest {

  @Test
  void randomizedSvdMatchesMllib() {
    int m = 400;
    int n = 150;
    int k = 6;
    Random random = new Random(3);
    double[][] left = new double[m][k + 2];
    double[][] right = new double[k + 2][n];
    for (double[] row : left) {
      for (int j = 0; j < row.length; j++) {
        row[j] = random.nextGaussian();
      }
    }
    for (int j = 0; j < right.length; j++) {
      for (int c = 0; c < n; c++) {
        // rank k + 2 with singular values decaying by 2x; about 30% of the entries kept
        right[j][c] = random.nextDouble() < 0.3 ? random.nextGaussian() / Math.pow(2, j) : 0;
      }
    }
    List<Tuple2<Integer, SparseVector>> rows = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      Map<Integer, Double> entries = new TreeMap<>();
      for (int c = 0; c < n; c++) {
        double v = 0;
        for (int j = 0; j < right.length; j++) {
          v += left[i][j] * right[j][c];
        }
        if (v != 0) {
          entries.put(c, v);
        }
      }
      rows.add(new Tuple2<>(i, new SparseVector(n, entries.keySet().stream().mapToInt(x -> x).toArray(),
          entries.values().stream().mapToDouble(x -> x).toArray())));
    }
    JavaPairRDD<Integer, SparseVector> a =
        JavaPairRDD.fromJavaRDD(JavaSparkContext.fromSparkContext(TestSpark.get().sparkContext()).parallelize(rows, 3));

    RandomizedSvd.Result fast = RandomizedSvd.compute(a, n, k, 42, 1e-9);
    SingularValueDecomposition<IndexedRowMatrix, Matrix> exact = new IndexedRowMatrix(
        a.map(t -> new IndexedRow(t._1, (Vector) t._2)).rdd(), m, n).computeSVD(k, true, 1e-9);

    double[] s = exact.s().toArray();
    assertEquals(k, fast.sigma().length);
    for (int j = 0; j < k; j++) {
      assertEquals(s[j], fast.sigma()[j], 1e-6 * s[0], "singular value " + j);
    }
    // rows of A·V_k equal rows of U·S up to the sign of each column: compare row norms
    Map<Integer, double[]> projected = fast.projected().collectAsMap();
    for (IndexedRow row : exact.U().rows().toJavaRDD().collect()) {
      double expected = 0;
      for (int j = 0; j < k; j++) {
        expected += Math.pow(row.vector().apply(j) * s[j], 2);
      }
      double actual = 0;
      for (double x : projected.get((int) row.index())) {
        actual += x * x;
      }
      assertEquals(Math.sqrt(expected), Math.sqrt(actual), 1e-6 * s[0], "row " + row.index());
    }
  }
}
