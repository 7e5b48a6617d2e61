package org.aldi.report;

import java.util.List;
import org.aldi.distill.InputLayout;
import org.aldi.distill.StudentTowers;
import org.aldi.distill.TrainingBatches;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The quantities of the paper's Figure 3 for training triples (u, i, j), scored by the teacher (backbone
 * embeddings e) and by the trained student (the inference towers f_U, f_I), in minibatches as in training:
 * t_ui = e_u . e_i, s_ui = f_U(e_u) . f_I(c_i), likewise t_uj, s_uj (Eq. 7, 8), and the identification
 * distances without the sigmoid (Eq. 20), d_t = e_i . (e_i - mean_B e_j), d_s = f_I(c_i) . (f_I(c_i) - mean_B f_I(c_j)).
 */
record Alignment(List<int[]> triples, double[][] columns) {
  static final String[] COLUMNS = {"t_ui", "s_ui", "t_uj", "s_uj", "d_t", "d_s"};

  /** Column c (in {@link #COLUMNS} order), one value per triple. */
  double[] column(String name) {
    return columns[List.of(COLUMNS).indexOf(name)];
  }

  static Alignment score(List<int[]> triples, TrainingBatches batches, StudentTowers towers, int batchSize) {
    int n = triples.size();
    InputLayout layout = batches.layout();
    int d = layout.teacherDim();
    int c = layout.contentWidth();
    int slots = layout.slots();
    double[][] columns = new double[COLUMNS.length][n];
    for (int start = 0; start < n; start += batchSize) {
      int end = Math.min(n, start + batchSize);
      INDArray x = batches.build(triples.subList(start, end)).getFeatures();
      INDArray eu = slice(x, 0, d);
      INDArray ei = slice(x, d, 2 * d);
      INDArray ej = slice(x, 2 * d, 3 * d);
      INDArray fu = towers.mapUsers(eu);
      INDArray gi = towers.mapItems(slice(x, layout.contentOffset(0), layout.contentOffset(0) + c), slots);
      INDArray gj = towers.mapItems(slice(x, layout.contentOffset(1), layout.contentOffset(1) + c), slots);
      INDArray[] values = {
          rowDot(eu, ei), rowDot(fu, gi), rowDot(eu, ej), rowDot(fu, gj),
          rowDot(ei, ei.subRowVector(ej.mean(0))), rowDot(gi, gi.subRowVector(gj.mean(0)))};
      for (int k = 0; k < values.length; k++) {
        System.arraycopy(values[k].toDoubleVector(), 0, columns[k], start, end - start);
      }
    }
    return new Alignment(triples, columns);
  }

  private static INDArray slice(INDArray x, int from, int to) {
    return x.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)).dup();
  }

  /** Row-wise dot products of two (n x k) arrays. */
  static INDArray rowDot(INDArray a, INDArray b) {
    return a.mul(b).sum(1);
  }
}
