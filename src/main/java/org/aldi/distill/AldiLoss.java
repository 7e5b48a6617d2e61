package org.aldi.distill;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The terms of the ALDI objective (Eq. 10), computed from the layer's per-triple output
 * [s_ui, s_uj, t_ui, t_uj, d_i^S, d_i^T] and the teacher weights, for the per-epoch training log.
 * The layer's own score is the same objective; a test checks that the two agree.
 */
public final class AldiLoss {
  private AldiLoss() {}

  /** Mean over the batch of each term, and the weighted total (without L2), keyed by name. */
  public static Map<String, Double> terms(INDArray activations, INDArray weights, AldiLayer layer) {
    long n = activations.rows();
    double basic = 0;
    double rate = 0;
    double rank = 0;
    double iden = 0;
    for (int r = 0; r < n; r++) {
      double sPos = activations.getDouble(r, 0);
      double sNeg = activations.getDouble(r, 1);
      double tPos = activations.getDouble(r, 2);
      double tNeg = activations.getDouble(r, 3);
      double dS = activations.getDouble(r, 4);
      double dT = activations.getDouble(r, 5);
      double w = weights.getDouble(r, 0);
      basic += softplus(-(sPos - sNeg));
      rate += distance(tPos - sPos, layer) + distance(tNeg - sNeg, layer);
      rank += w * softCrossEntropy(sPos - sNeg, tPos - tNeg);
      iden += w * softCrossEntropy(dS, dT);
    }
    Map<String, Double> terms = new LinkedHashMap<>();
    terms.put("basic", basic / n);
    terms.put("rate", rate / n);
    terms.put("rank", rank / n);
    terms.put("iden", iden / n);
    terms.put("total", (basic + layer.getAlpha() * rate + layer.getBeta() * rank + layer.getGamma() * iden) / n);
    return terms;
  }

  private static double distance(double diff, AldiLayer layer) {
    return layer.isSquaredRatingDistance() ? diff * diff : Math.abs(diff);
  }

  /** BCE(x, sigmoid(t)) = softplus(x) - sigmoid(t) * x. */
  static double softCrossEntropy(double logit, double teacherLogit) {
    return softplus(logit) - sigmoid(teacherLogit) * logit;
  }

  static double softplus(double x) {
    return x > 30 ? x : Math.log1p(Math.exp(x));
  }

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }
}
