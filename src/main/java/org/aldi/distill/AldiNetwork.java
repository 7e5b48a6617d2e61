package org.aldi.distill;

import org.aldi.config.Settings;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The DL4J network of the student: one {@link AldiLayer} (or a baseline's subclass of it), Adam, L2 on the tower
 * weights and biases.
 */
public final class AldiNetwork {
  private AldiNetwork() {}

  public static AldiLayer layer(Settings.Distill s, int teacherDim, int contentDim) {
    return new AldiLayer(teacherDim, contentDim, s.hidden, s.batchNorm, s.alpha, s.beta, s.gamma,
        s.squaredRatingDistance, s.initStd);
  }

  public static MultiLayerConfiguration configuration(AldiLayer layer, double learningRate, double l2, long seed,
      DataType dataType) {
    return new NeuralNetConfiguration.Builder()
        .seed(seed)
        .dataType(dataType)
        .updater(new Adam(learningRate))
        .l2(l2)
        .l2Bias(l2)
        .list()
        .layer(layer)
        .setInputType(InputType.feedForward(layer.inputWidth()))
        .build();
  }

  /** A network of one layer (ALDI's or a baseline's), with the distillation settings' optimiser and L2. */
  public static MultiLayerNetwork create(AldiLayer layer, Settings.Distill s, long seed) {
    MultiLayerNetwork net = new MultiLayerNetwork(configuration(layer, s.learningRate, s.l2, seed, DataType.FLOAT));
    net.init();
    return net;
  }

  /** The ALDI layer of a network made by this class. */
  public static AldiLayer layerOf(MultiLayerNetwork net) {
    return (AldiLayer) net.getLayerWiseConfigurations().getConf(0).getLayer();
  }
}
