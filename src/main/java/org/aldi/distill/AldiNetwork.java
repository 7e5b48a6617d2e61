package org.aldi.distill;

import java.util.LinkedHashMap;
import java.util.Map;
import org.aldi.config.Settings;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The DL4J network of the student: one {@link AldiLayer} (both towers and the objective; or a baseline's subclass of
 * it, org.aldi.baselines), behind a
 * {@link SparseContentLayer} (the item tower's first layer, sparse times dense) when the content is sparse; Adam, L2
 * on the tower weights and biases.
 */
public final class AldiNetwork {
  private AldiNetwork() {}

  /** The ALDI layer for input rows of the layout. */
  public static AldiLayer layer(Settings.Distill s, InputLayout layout) {
    return new AldiLayer(layout.teacherDim(), layout.contentDim(), layout.slots() > 0, s.hidden, s.batchNorm, s.alpha,
        s.beta, s.gamma, s.squaredRatingDistance, s.initStd);
  }

  /** The item tower's first layer for sparse content, or null for dense content. */
  public static SparseContentLayer sparseLayer(Settings.Distill s, InputLayout layout, long seed) {
    return layout.slots() > 0 ? new SparseContentLayer(layout.teacherDim(), layout.contentDim(), layout.slots(),
        s.hidden, s.initStd, seed) : null;
  }

  public static MultiLayerConfiguration configuration(AldiLayer layer, double learningRate, double l2, long seed,
      DataType dataType) {
    return configuration(null, layer, learningRate, l2, seed, dataType);
  }

  /** @param sparse the sparse first layer of the item tower in front of the ALDI layer, or null */
  public static MultiLayerConfiguration configuration(SparseContentLayer sparse, AldiLayer layer, double learningRate,
      double l2, long seed, DataType dataType) {
    NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
        .seed(seed)
        .dataType(dataType)
        .updater(new Adam(learningRate))
        .l2(l2)
        .l2Bias(l2)
        .list();
    if (sparse != null) {
      list.layer(sparse);
    }
    return list.layer(layer)
        .setInputType(InputType.feedForward(sparse != null ? sparse.inputWidth() : layer.inputWidth()))
        .build();
  }

  /** The ALDI student's network. */
  public static MultiLayerNetwork create(Settings.Distill s, InputLayout layout, long seed) {
    return create(layer(s, layout), s, layout, seed);
  }

  /**
   * A network of one layer (ALDI's or a baseline's, made for the layout) behind the sparse first layer when the
   * content is sparse, with the distillation settings' optimiser and L2; the initial weights of both layers are
   * drawn with the seed.
   */
  public static MultiLayerNetwork create(AldiLayer layer, Settings.Distill s, InputLayout layout, long seed) {
    layer.setInitSeed(seed);
    MultiLayerNetwork net = new MultiLayerNetwork(
        configuration(sparseLayer(s, layout, seed), layer, s.learningRate, s.l2, seed, DataType.FLOAT));
    net.init();
    return net;
  }

  /** The ALDI layer of a network made by this class (its last layer). */
  public static AldiLayer layerOf(MultiLayerNetwork net) {
    return (AldiLayer) net.getLayerWiseConfigurations().getConf(net.getnLayers() - 1).getLayer();
  }

  /** The layout of the network's input rows. */
  public static InputLayout layout(MultiLayerNetwork net) {
    AldiLayer layer = layerOf(net);
    int slots = net.getnLayers() > 1
        ? ((SparseContentLayer) net.getLayerWiseConfigurations().getConf(0).getLayer()).getSlots() : 0;
    return new InputLayout(layer.getTeacherDim(), layer.getContentDim(), slots);
  }

  /**
   * The towers' parameters by the names of {@link StudentTowers} ("userW1", "itemb2", ...): the ALDI layer's, and
   * for sparse content the item tower's first layer (W1, b1) from the layer in front.
   */
  public static Map<String, INDArray> towerParameters(MultiLayerNetwork net) {
    Map<String, INDArray> params = new LinkedHashMap<>(net.getLayer(net.getnLayers() - 1).paramTable());
    if (net.getnLayers() > 1) {
      params.put(StudentTowers.ITEM + StudentTowers.W1, net.getLayer(0).getParam(DefaultParamInitializer.WEIGHT_KEY));
      INDArray bias = net.getLayer(0).getParam(DefaultParamInitializer.BIAS_KEY);
      params.put(StudentTowers.ITEM + StudentTowers.B1, bias.reshape(1, bias.length()));
    }
    return params;
  }
}
