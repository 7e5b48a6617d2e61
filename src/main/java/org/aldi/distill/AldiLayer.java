package org.aldi.distill;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffOutputLayer;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * The ALDI student: both mapping towers f_U and f_I (Eq. 8) and the whole training objective (Eq. 10) in one
 * DL4J output layer, so that DL4J (and its Spark parameter averaging) trains them together.
 *
 * <p>Input row: [e_u | e_i | e_j | c_i | c_j] for a triple (u, i, j): frozen teacher embeddings (backbone
 * dimension d) and item content (dimension c). Label: the teacher-qualifying weight w_i (Eq. 21).
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
  private int hidden;
  private boolean batchNorm;
  private double alpha;
  private double beta;
  private double gamma;
  private boolean squaredRatingDistance;
  private double initStd;

  /** For DL4J's JSON deserialisation (executors rebuild the network from its configuration). */
  public AldiLayer() {}

  public AldiLayer(int teacherDim, int contentDim, int hidden, boolean batchNorm, double alpha, double beta,
      double gamma, boolean squaredRatingDistance, double initStd) {
    this.teacherDim = teacherDim;
    this.contentDim = contentDim;
    this.hidden = hidden;
    this.batchNorm = batchNorm;
    this.alpha = alpha;
    this.beta = beta;
    this.gamma = gamma;
    this.squaredRatingDistance = squaredRatingDistance;
    this.initStd = initStd;
  }

  /** Width of an input row. */
  public int inputWidth() {
    return 3 * teacherDim + 2 * contentDim;
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
   * The parts of the input rows: e_u, e_i, e_j (teacher embeddings, width d) and c_i, c_j (content, width c).
   * Called first by every layer's graph definition, so it also quiets ND4J's graph-building output.
   */
  protected SDVariable[] inputParts(SDVariable input) {
    SameDiffChatter.silence();
    int d = teacherDim;
    int c = contentDim;
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
    return squaredRatingDistance ? sd.math().square(diff) : sd.math().abs(diff);
  }

  /**
   * Linear -> [batch norm] -> tanh -> Linear, applied to equally sized parts that share one set of batch
   * statistics (the mean of the parts' means and variances equals the statistics of their concatenation).
   */
  protected SDVariable[] tower(SameDiff sd, Map<String, SDVariable> p, String tower, SDVariable... parts) {
    SDVariable[] h = new SDVariable[parts.length];
    for (int k = 0; k < parts.length; k++) {
      h[k] = parts[k].mmul(p.get(tower + StudentTowers.W1)).add(p.get(tower + StudentTowers.B1));
    }
    if (batchNorm) {
      SDVariable mean = h[0].mean(true, 0);
      for (int k = 1; k < h.length; k++) {
        mean = mean.add(h[k].mean(true, 0));
      }
      mean = mean.div(h.length);
      SDVariable[] centred = new SDVariable[h.length];
      SDVariable variance = null;
      for (int k = 0; k < h.length; k++) {
        centred[k] = h[k].sub(mean);
        SDVariable partVariance = sd.math().square(centred[k]).mean(true, 0);
        variance = variance == null ? partVariance : variance.add(partVariance);
      }
      SDVariable scale = sd.math().rsqrt(variance.div(h.length).add(BN_EPSILON)).mul(p.get(tower + StudentTowers.BN_GAMMA));
      for (int k = 0; k < h.length; k++) {
        h[k] = centred[k].mul(scale).add(p.get(tower + StudentTowers.BN_BETA));
      }
    }
    SDVariable[] out = new SDVariable[h.length];
    for (int k = 0; k < h.length; k++) {
      out[k] = sd.math().tanh(h[k]).mmul(p.get(tower + StudentTowers.W2)).add(p.get(tower + StudentTowers.B2));
    }
    return out;
  }

  @Override
  public String activationsVertexName() {
    return "activations";
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    defineTower(params, StudentTowers.USER, teacherDim);
    defineTower(params, StudentTowers.ITEM, contentDim);
  }

  protected void defineTower(SDLayerParams params, String tower, int inputDim) {
    params.addWeightParam(tower + StudentTowers.W1, inputDim, hidden);
    params.addBiasParam(tower + StudentTowers.B1, 1, hidden);
    if (batchNorm) {
      params.addBiasParam(tower + StudentTowers.BN_GAMMA, 1, hidden);
      params.addBiasParam(tower + StudentTowers.BN_BETA, 1, hidden);
    }
    params.addWeightParam(tower + StudentTowers.W2, hidden, teacherDim);
    params.addBiasParam(tower + StudentTowers.B2, 1, teacherDim);
  }

  /** Weights: truncated normal (|z| <= 2) with std init-std, as the reference code; biases 0; BN scale 1. */
  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    Random random = Nd4j.getRandom();
    for (Map.Entry<String, INDArray> entry : params.entrySet()) {
      String name = entry.getKey();
      INDArray array = entry.getValue();
      if (name.endsWith(StudentTowers.W1) || name.endsWith(StudentTowers.W2)) {
        long n = array.length();
        double[] values = new double[(int) n];
        for (int k = 0; k < n; k++) {
          double z;
          do {
            z = random.nextGaussian();
          } while (Math.abs(z) > 2);
          values[k] = z * initStd;
        }
        array.assign(Nd4j.create(values, array.shape(), 'c').castTo(array.dataType()));
      } else if (name.endsWith(StudentTowers.BN_GAMMA)) {
        array.assign(1);
      } else {
        array.assign(0);
      }
    }
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
}
