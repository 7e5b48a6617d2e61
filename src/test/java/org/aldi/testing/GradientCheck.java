package org.aldi.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** Backpropagated gradients of a one-layer DL4J network against central finite differences of its score. */
public final class GradientCheck {
  private GradientCheck() {}

  /**
   * Checks every parameter (the network should be in double precision). DL4J reports the score as the batch mean of
   * the objective and the gradient of its batch sum (its updater divides by the batch size), hence the factor of the
   * batch size. Returns the number of parameters checked.
   */
  public static long assertMatchesFiniteDifferences(MultiLayerNetwork net, DataSet data) {
    long batch = data.numExamples();
    net.setInput(data.getFeatures());
    net.setLabels(data.getLabels());
    net.computeGradientAndScore();
    INDArray analytic = net.gradient().gradient().dup();
    INDArray params = net.params();
    double eps = 1e-6;
    for (int k = 0; k < params.length(); k++) {
      double original = params.getDouble(k);
      params.putScalar(k, original + eps);
      double plus = net.score(data) * batch;
      params.putScalar(k, original - eps);
      double minus = net.score(data) * batch;
      params.putScalar(k, original);
      double numeric = (plus - minus) / (2 * eps);
      double a = analytic.getDouble(k);
      double error = Math.abs(a - numeric) / Math.max(1e-6, Math.abs(a) + Math.abs(numeric));
      assertTrue(error < 1e-4 || Math.abs(a - numeric) < 1e-8,
          "parameter " + k + ": backprop " + a + " vs finite difference " + numeric);
    }
    return params.length();
  }
}
