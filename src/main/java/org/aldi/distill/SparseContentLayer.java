package org.aldi.distill;

import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The first layer of the item tower for sparse content, sparse times dense: in front of an {@link AldiLayer}, it
 * maps input rows [e_u | e_i | e_j | slots_i | slots_j] (content as {@link ContentTable} slots: attribute indices
 * and values) to [e_u | e_i | e_j | h_i | h_j] with h = c . W1 + b1 = sum_k value_k * W1[index_k] + b1
 * ({@link SlotProduct}), so that the multiply costs nnz x hidden per item, not c x hidden. Its weight gradient is
 * the scatter-add of value_k * dL/dh into the rows W1[index_k].
 *
 * <p>The computation is written out here because ND4J 1.0.0-M2.1 cannot differentiate a gather inside the SameDiff
 * layer: its Gather gradient builds a SameDiff while-loop that fails for a second gather in one graph ("Unable to
 * replace samediff namespace"), and the graph's ops are cloned by op name, so a subclass cannot replace it.
 * Parameters W (c x hidden, the item tower's W1) and b (hidden, its b1), initialised as {@link AldiLayer}'s.
 */
public class SparseContentLayer extends FeedForwardLayer {
  private int teacherDim;
  private int slots;

  /** For DL4J's JSON deserialisation (executors rebuild the network from its configuration). */
  public SparseContentLayer() {}

  public SparseContentLayer(int teacherDim, int contentDim, int slots, int hidden, double initStd, long initSeed) {
    this.teacherDim = teacherDim;
    this.slots = slots;
    setNIn(contentDim);
    setNOut(hidden);
    setWeightInitFn(new TruncatedNormalInit(initStd, initSeed));
    setBiasInit(0);
  }

  /** Width of an input row. */
  public int inputWidth() {
    return 3 * teacherDim + 4 * slots;
  }

  /** Width of an output row: [e_u | e_i | e_j | h_i | h_j]. */
  public int outputWidth() {
    return 3 * teacherDim + 2 * (int) getNOut();
  }

  @Override
  public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
      Collection<TrainingListener> listeners, int layerIndex, INDArray layerParamsView, boolean initializeParams,
      DataType networkDataType) {
    Impl layer = new Impl(conf, networkDataType);
    layer.setListeners(listeners);
    layer.setIndex(layerIndex);
    layer.setParamsViewArray(layerParamsView);
    layer.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
    layer.setConf(conf);
    return layer;
  }

  @Override
  public ParamInitializer initializer() {
    return DefaultParamInitializer.getInstance();
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.feedForward(outputWidth());
  }

  @Override
  public void setNIn(InputType inputType, boolean override) {
    // nIn is the content dimension, not the input width; it comes from the constructor
  }

  @Override
  public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
    return null;
  }

  @Override
  public LayerMemoryReport getMemoryReport(InputType inputType) {
    return new LayerMemoryReport.Builder(getLayerName(), SparseContentLayer.class, inputType,
        getOutputType(0, inputType)).standardMemory(initializer().numParams(this), 0).workingMemory(0, 0, 0, 0)
        .cacheMemory(0, 0).build();
  }

  // Getters and setters: DL4J serialises layer configurations to JSON through them.
  public int getTeacherDim() { return teacherDim; }
  public void setTeacherDim(int v) { teacherDim = v; }
  public int getSlots() { return slots; }
  public void setSlots(int v) { slots = v; }

  /** The layer at work, in the network's data type. */
  public static final class Impl extends BaseLayer<SparseContentLayer> {
    Impl(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
      assertInputSet(false);
      SparseContentLayer c = layerConf();
      int d = c.teacherDim;
      int hidden = (int) c.getNOut();
      long n = input.rows();
      // h = [h_i | h_j] per row, then + b1 on every item's part
      INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, n, c.outputWidth());
      out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3 * d))
          .assign(input.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3 * d)));
      try (INDArray h = product(input, getParam(DefaultParamInitializer.WEIGHT_KEY))) {
        h.reshape('c', 2 * n, hidden).addiRowVector(getParam(DefaultParamInitializer.BIAS_KEY));
        out.get(NDArrayIndex.all(), NDArrayIndex.interval(3 * d, c.outputWidth())).assign(h);
      }
      return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
      assertInputSet(true);
      SparseContentLayer c = layerConf();
      int hidden = (int) c.getNOut();
      INDArray weightGradient = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
      INDArray biasGradient = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
      try (INDArray dh = epsilon.get(NDArrayIndex.all(), NDArrayIndex.interval(3 * c.teacherDim, c.outputWidth()))
          .dup('c'); INDArray dw = weightGradient(input, dh)) {
        weightGradient.assign(dw);
        biasGradient.assign(dh.reshape('c', 2 * dh.rows(), hidden).sum(0).reshape(biasGradient.shape()));
      }
      Gradient gradient = new DefaultGradient();
      gradient.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGradient);
      gradient.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, biasGradient);
      return new Pair<>(gradient, null); // the first layer: no epsilon to pass on
    }

    /** [x_i . W | x_j . W] (n x 2 hidden) of the input rows' slots. */
    private INDArray product(INDArray x, INDArray w) {
      return slotProduct(x, w, true);
    }

    /** dL/dW (dim x hidden) from the input rows' slots and dh = [dL/dh_i | dL/dh_j] (n x 2 hidden). */
    private INDArray weightGradient(INDArray x, INDArray dh) {
      return slotProduct(x, dh, false);
    }

    /** {@link SlotProduct} forward (y = W) or backward (y = dh) over both items' slots, in the network's type. */
    private INDArray slotProduct(INDArray x, INDArray y, boolean forward) {
      SparseContentLayer c = layerConf();
      int n = (int) x.rows();
      int dim = (int) c.getNIn();
      int hidden = (int) c.getNOut();
      int in = c.inputWidth();
      long[] shape = forward ? new long[] {n, 2L * hidden} : new long[] {dim, hidden};
      if (dataType == DataType.DOUBLE) {
        double[] xs = x.dup('c').data().asDouble();
        double[] ys = y.dup('c').data().asDouble();
        double[] out = new double[(int) (shape[0] * shape[1])];
        for (int item = 0; item < 2; item++) {
          int slotsAt = 3 * c.teacherDim + item * 2 * c.slots;
          if (forward) {
            SlotProduct.forward(xs, in, slotsAt, n, c.slots, ys, dim, hidden, out, 2 * hidden, item * hidden);
          } else {
            SlotProduct.backward(xs, in, slotsAt, n, c.slots, ys, 2 * hidden, item * hidden, dim, hidden, out);
          }
        }
        return Nd4j.create(out, shape, 'c');
      }
      float[] xs = x.castTo(DataType.FLOAT).dup('c').data().asFloat();
      float[] ys = y.castTo(DataType.FLOAT).dup('c').data().asFloat();
      float[] out = new float[(int) (shape[0] * shape[1])];
      for (int item = 0; item < 2; item++) {
        int slotsAt = 3 * c.teacherDim + item * 2 * c.slots;
        if (forward) {
          SlotProduct.forward(xs, in, slotsAt, n, c.slots, ys, dim, hidden, out, 2 * hidden, item * hidden);
        } else {
          SlotProduct.backward(xs, in, slotsAt, n, c.slots, ys, 2 * hidden, item * hidden, dim, hidden, out);
        }
      }
      return Nd4j.create(out, shape, 'c').castTo(dataType);
    }

    @Override
    public boolean isPretrainLayer() {
      return false;
    }
  }

  /** The item tower's W1 drawn as {@link AldiLayer#initializeParameters} draws it for dense content. */
  public static final class TruncatedNormalInit implements IWeightInit {
    private static final long serialVersionUID = 1L;
    private double std;
    private long seed;

    /** For DL4J's JSON deserialisation. */
    public TruncatedNormalInit() {}

    TruncatedNormalInit(double std, long seed) {
      this.std = std;
      this.seed = seed;
    }

    @Override
    public INDArray init(double fanIn, double fanOut, long[] shape, char order, INDArray paramView) {
      INDArray weights = paramView.reshape(order, shape);
      AldiLayer.truncatedNormal(weights, std, seed, StudentTowers.ITEM + StudentTowers.W1);
      return weights;
    }

    public double getStd() { return std; }
    public void setStd(double v) { std = v; }
    public long getSeed() { return seed; }
    public void setSeed(long v) { seed = v; }
  }
}
