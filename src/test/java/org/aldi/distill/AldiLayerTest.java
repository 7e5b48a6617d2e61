package org.aldi.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.aldi.testing.GradientCheck;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** The ALDI objective (Eq. 10-23) in DL4J: gradients against finite differences, score against the terms. */
class AldiLayerTest {
  static final int D = 4;
  static final int C = 5;
  static final int B = 6;

  static MultiLayerNetwork network(boolean batchNorm, boolean squared, double l2) {
    AldiLayer layer = new AldiLayer(D, C, false, 3, batchNorm, 0.3, 0.9, 0.5, squared, 0.5);
    MultiLayerNetwork net = new MultiLayerNetwork(
        AldiNetwork.configuration(layer, 1e-3, l2, 12345, DataType.DOUBLE));
    net.init();
    return net;
  }

  static DataSet batch(long seed) {
    Nd4j.getRandom().setSeed(seed);
    INDArray x = Nd4j.randn(DataType.DOUBLE, B, 3 * D + 2 * C);
    INDArray w = Nd4j.rand(DataType.DOUBLE, B, 1).addi(0.2);
    return new DataSet(x, w);
  }

  /** Central finite differences of the network score against the backpropagated gradient, every parameter. */
  @ParameterizedTest(name = "batchNorm={0}, squared={1}")
  @CsvSource({"true,false", "false,true", "true,true", "false,false"})
  void gradientMatchesFiniteDifferences(boolean batchNorm, boolean squared) {
    long checked = GradientCheck.assertMatchesFiniteDifferences(network(batchNorm, squared, 0.0), batch(7));
    assertTrue(checked > 50, "all tower parameters were checked");
  }

  @ParameterizedTest(name = "batchNorm={0}, squared={1}")
  @CsvSource({"true,false", "false,true"})
  void scoreEqualsTheSumOfTheReportedTerms(boolean batchNorm, boolean squared) {
    MultiLayerNetwork net = network(batchNorm, squared, 0.0);
    DataSet data = batch(11);
    double score = net.score(data);
    INDArray out = net.output(data.getFeatures());
    Map<String, Double> terms = AldiLoss.terms(out, data.getLabels(), AldiNetwork.layerOf(net));
    assertEquals(terms.get("total"), score, 1e-9 * Math.max(1, Math.abs(score)),
        "terms " + terms + " vs score " + score);
    // teacher scores in the output are plain dot products of the input's teacher embeddings (Eq. 7)
    INDArray x = data.getFeatures();
    double t = 0;
    for (int k = 0; k < D; k++) {
      t += x.getDouble(2, k) * x.getDouble(2, D + k);
    }
    assertEquals(t, out.getDouble(2, 2), 1e-9);
  }
}
