package org.aldi.distill;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.aldi.backbone.TruncatedNormal;
import org.aldi.store.SeededHash;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffOutputLayer;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * The ALDI student: both mapping towers f_U and f_I (Eq. 8) and the whole training objective (Eq. 10) in one
 * DL4J output layer, so that DL4J (and its Spark parameter averaging) trains them together.
 *
 * <p>Input row: [e_u | e_i | e_j | c_i | c_j] for a triple (u, i, j): frozen teacher embeddings (backbone
 * dimension d) and item content (dimension c); for sparse content, the output h = c . W1 + b1 (width hidden) of the
 * item tower's first layer, a {@link SparseContentLayer} in front of this one. Label: the teacher-qualifying weight
 * w_i (Eq. 21).
 * Output ("activations"): per triple [s_ui, s_uj, t_ui, t_uj, d_i^S, d_i^T] so that the loss terms can be
 * reported per epoch ({@link AldiLoss}); the network's score is the objective's batch mean.
 *
 * <p>Towers: Linear -> [BatchNorm] -> tanh -> Linear, as in the reference code (§3.1). Batch normalisation here
 * always uses the statistics of the batch; inference uses population statistics ({@link StudentTowers}).
 * The item tower's batch statistics cover the 2B rows [c_i ; c_j] together, as in the reference code.
 */
public class AldiLayer extends SameDiffOutputLayer {
  /** Variance epsilon of batch normalisation (TensorFlow's default, used by the reference code). */
  public static final double BN_EPSILON = 1e-3;
  /** Width of the per-triple output: s_ui, s_uj, t_ui, t_uj, d_i^S, d_i^T. */
  public static final int OUTPUTS = 6;

  private int teacherDim;
  private int contentDim;
  private boolean sparseContent;
  private int hidden;
  private boolean batchNorm;
  private double alpha;
  private double beta;
  private double gamma;
  private boolean squaredRatingDistance;
  private double initStd;
  private long initSeed;

  /** For DL4J's JSON deserialisation (executors rebuild the network from its configuration). */
  public AldiLayer() {}

  /**
   * @param sparseContent true when a {@link SparseContentLayer} in front applies the item tower's first layer, so
   *     that this layer's input carries its output (width hidden) in place of the content
   */
  public AldiLayer(int teacherDim, int contentDim, boolean sparseContent, int hidden, boolean batchNorm, double alpha,
      double beta, double gamma, boolean squaredRatingDistance, double initStd) {
    this.teacherDim = teacherDim;
    this.contentDim = contentDim;
    this.sparseContent = sparseContent;
    this.hidden = hidden;
    this.batchNorm = batchNorm;
    this.alpha = alpha;
    this.beta = beta;
    this.gamma = gamma;
    this.squaredRatingDistance = squaredRatingDistance;
    this.initStd = initStd;
  }

  /** Width of one item's part of an input row: c, or hidden for content through a {@link SparseContentLayer}. */
  public int contentWidth() {
    return sparseContent ? hidden : contentDim;
  }

  /** Width of an input row. */
  public int inputWidth() {
    return 3 * teacherDim + 2 * contentWidth();
  }

  @Override
  public SDVariable defineLayer(SameDiff sd, SDVariable input, SDVariable labels, Map<String, SDVariable> p) {
    SDVariable[] x = inputParts(input);
    SDVariable eu = x[0];
    SDVariable weight = labels.get(SDIndex.all(), SDIndex.interval(0, 1));

    SDVariable fu = tower(sd, p, StudentTowers.USER, eu)[0];         // f_U(e_u)
    SDVariable[] g = tower(sd, p, StudentTowers.ITEM, x[3], x[4]);  // f_I(c_i), f_I(c_j)
    SDVariable[] a = alignment(sd, eu, x[1], x[2], fu, g[0], g[1]);
    SDVariable sPos = a[0];
    SDVariable sNeg = a[1];
    SDVariable tPos = a[2];
    SDVariable tNeg = a[3];
    SDVariable sGap = sPos.sub(sNeg);
    SDVariable tGap = tPos.sub(tNeg);

    // Per triple: L_basic (BPR, -log sigmoid(s_ui - s_uj)); L_rate (Eq. 12-13, absolute or squared distance of
    // the positive and of the negative scores); L_rank (Eq. 14-15, 22: cross-entropy of sigma(s-gap) against the
    // soft label sigma(t-gap), times w_i); L_iden (Eq. 18-20, 23: cross-entropy of sigma(d^S) against sigma(d^T),
    // times w_i).
    SDVariable basic = sd.nn().softplus(sGap.neg());
    SDVariable rate = distance(sd, tPos.sub(sPos)).add(distance(sd, tNeg.sub(sNeg)));
    SDVariable rank = weight.mul(softCrossEntropy(sd, sGap, tGap));
    SDVariable iden = weight.mul(softCrossEntropy(sd, a[4], a[5]));
    // Eq. 10, summed over the batch: DL4J divides the score and the gradient by the batch size, so the
    // objective that is optimised is the batch mean, as in the reference code.
    SDVariable loss = basic.add(rate.mul(alpha)).add(rank.mul(beta)).add(iden.mul(gamma)).sum();
    loss.markAsLoss();
    sd.concat("activations", 1, a);
    return loss;
  }

  /**
   * The parts of the input rows: e_u, e_i, e_j (teacher embeddings, width d) and c_i, c_j (content, width c; for
   * sparse content the outputs h of the first layer in front, width hidden). Called first by every layer's graph
   * definition, so it also quiets ND4J's graph-building output.
   */
  protected SDVariable[] inputParts(SDVariable input) {
    SameDiffChatter.silence();
    int d = teacherDim;
    int c = contentWidth();
    return new SDVariable[] {
        input.get(SDIndex.all(), SDIndex.interval(0, d)),
        input.get(SDIndex.all(), SDIndex.interval(d, 2 * d)),
        input.get(SDIndex.all(), SDIndex.interval(2 * d, 3 * d)),
        input.get(SDIndex.all(), SDIndex.interval(3 * d, 3 * d + c)),
        input.get(SDIndex.all(), SDIndex.interval(3 * d + c, 3 * d + 2 * c))};
  }

  /**
   * Per triple, the teacher scores t = e_u . e (Eq. 7), the student scores s = u^S . g (Eq. 8, with u^S the
   * student's user vector and g its item vectors) and the identification distances with the batch mean of the
   * negatives (Eq. 20, without the sigmoid), in the order of the layer's activations:
   * [s_ui, s_uj, t_ui, t_uj, d_i^S, d_i^T].
   */
  protected static SDVariable[] alignment(SameDiff sd, SDVariable eu, SDVariable ei, SDVariable ej, SDVariable su,
      SDVariable gi, SDVariable gj) {
    SDVariable tPos = eu.mul(ei).sum(true, 1);
    SDVariable tNeg = eu.mul(ej).sum(true, 1);
    SDVariable sPos = su.mul(gi).sum(true, 1);
    SDVariable sNeg = su.mul(gj).sum(true, 1);
    SDVariable dS = gi.mul(gi.sub(gj.mean(true, 0))).sum(true, 1);
    SDVariable dT = ei.mul(ei.sub(ej.mean(true, 0))).sum(true, 1);
    return new SDVariable[] {sPos, sNeg, tPos, tNeg, dS, dT};
  }

  /** Binary cross-entropy of sigma(logit) against the label sigma(teacherLogit): softplus(x) - p * x. */
  private static SDVariable softCrossEntropy(SameDiff sd, SDVariable logit, SDVariable teacherLogit) {
    return sd.nn().softplus(logit).sub(sd.nn().sigmoid(teacherLogit).mul(logit));
  }

  private SDVariable distance(SameDiff sd, SDVariable diff) {
    return squaredRatingDistance ? diff.mul(diff) : sd.math().abs(diff);
  }

  /**
   * Linear -> [batch norm] -> tanh -> Linear, applied to equally sized parts stacked into one matrix (one set of
   * batch statistics over all their rows, and one matrix product per layer instead of one per part), then split.
   */
  protected SDVariable[] tower(SameDiff sd, Map<String, SDVariable> p, String tower, SDVariable... parts) {
    SDVariable x = parts.length == 1 ? parts[0] : sd.concat(0, parts);
    SDVariable h = sparseContent && tower.equals(StudentTowers.ITEM) ? x // first layer in front
        : x.mmul(p.get(tower + StudentTowers.W1)).add(p.get(tower + StudentTowers.B1));
    if (batchNorm) {
      SDVariable centred = h.sub(h.mean(true, 0));
      // x * x rather than square(x): ND4J differentiates square through pow, several times slower
      SDVariable variance = centred.mul(centred).mean(true, 0);
      h = centred.mul(sd.math().rsqrt(variance.add(BN_EPSILON)).mul(p.get(tower + StudentTowers.BN_GAMMA)))
          .add(p.get(tower + StudentTowers.BN_BETA));
    }
    SDVariable out = sd.math().tanh(h).mmul(p.get(tower + StudentTowers.W2)).add(p.get(tower + StudentTowers.B2));
    return parts.length == 1 ? new SDVariable[] {out}
        : sd.unstack(sd.reshape(out, parts.length, -1, teacherDim), 0, parts.length);
  }

  @Override
  public String activationsVertexName() {
    return "activations";
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    defineTower(params, StudentTowers.USER, teacherDim);
    defineTower(params, StudentTowers.ITEM, sparseContent ? 0 : contentDim);
  }

  /** The tower's parameters; inputDim 0: its first layer is in front of this layer. */
  protected void defineTower(SDLayerParams params, String tower, int inputDim) {
    if (inputDim > 0) {
      params.addWeightParam(tower + StudentTowers.W1, inputDim, hidden);
      params.addBiasParam(tower + StudentTowers.B1, 1, hidden);
    }
    if (batchNorm) {
      params.addBiasParam(tower + StudentTowers.BN_GAMMA, 1, hidden);
      params.addBiasParam(tower + StudentTowers.BN_BETA, 1, hidden);
    }
    params.addWeightParam(tower + StudentTowers.W2, hidden, teacherDim);
    params.addBiasParam(tower + StudentTowers.B2, 1, teacherDim);
  }

  /**
   * Weights: truncated normal (|z| <= 2) with std init-std, as the reference code, each from its own generator seeded
   * by (initSeed, name); biases 0; BN scale 1.
   */
  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    for (Map.Entry<String, INDArray> entry : params.entrySet()) {
      String name = entry.getKey();
      INDArray array = entry.getValue();
      if (name.endsWith(StudentTowers.W1) || name.endsWith(StudentTowers.W2)) {
        truncatedNormal(array, initStd, initSeed, name);
      } else if (name.endsWith(StudentTowers.BN_GAMMA)) {
        array.assign(1);
      } else {
        array.assign(0);
      }
    }
  }

  /**
   * Fills an array with z * std, z standard normal redrawn while |z| &gt; 2 ({@link TruncatedNormal}), from a
   * generator of its own seeded by (seed, parameter name): a tower's initial weights do not depend on which layer
   * holds them (dense content, or the sparse first layer in front).
   */
  static void truncatedNormal(INDArray array, double std, long seed, String name) {
    float[] values = TruncatedNormal.sample(new Random(SeededHash.hash(seed, name.hashCode())), (int) array.length(),
        std);
    array.assign(Nd4j.create(values, array.shape(), 'c').castTo(array.dataType()));
  }

  /** The batch-norm scale and shift are not L2-regularised (reference code §3.1); all other params are. */
  @Override
  public List<Regularization> getRegularizationByParam(String paramName) {
    if (paramName.endsWith(StudentTowers.BN_GAMMA) || paramName.endsWith(StudentTowers.BN_BETA)) {
      return Collections.emptyList();
    }
    return super.getRegularizationByParam(paramName);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.feedForward(OUTPUTS);
  }

  @Override
  public void setNIn(InputType inputType, boolean override) {
    // dimensions come from the configuration
  }

  @Override
  public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
    return null;
  }

  // Getters and setters: DL4J serialises layer configurations to JSON through them.
  public int getTeacherDim() { return teacherDim; }
  public void setTeacherDim(int v) { teacherDim = v; }
  public int getContentDim() { return contentDim; }
  public void setContentDim(int v) { contentDim = v; }
  public boolean isSparseContent() { return sparseContent; }
  public void setSparseContent(boolean v) { sparseContent = v; }
  public int getHidden() { return hidden; }
  public void setHidden(int v) { hidden = v; }
  public boolean isBatchNorm() { return batchNorm; }
  public void setBatchNorm(boolean v) { batchNorm = v; }
  public double getAlpha() { return alpha; }
  public void setAlpha(double v) { alpha = v; }
  public double getBeta() { return beta; }
  public void setBeta(double v) { beta = v; }
  public double getGamma() { return gamma; }
  public void setGamma(double v) { gamma = v; }
  public boolean isSquaredRatingDistance() { return squaredRatingDistance; }
  public void setSquaredRatingDistance(boolean v) { squaredRatingDistance = v; }
  public double getInitStd() { return initStd; }
  public void setInitStd(double v) { initStd = v; }
  public long getInitSeed() { return initSeed; }
  public void setInitSeed(long v) { initSeed = v; }
}
