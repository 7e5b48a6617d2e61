package org.aldi.baselines;

import java.util.LinkedHashMap;
import java.util.Map;
import org.aldi.distill.AldiLayer;
import org.aldi.distill.AldiLoss;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A baseline's student as a DL4J output layer: ALDI's input rows [e_u | e_i | e_j | c_i | c_j], towers and
 * parameters (inherited from {@link AldiLayer}), its own objective. Its activations are ALDI's
 * [s_ui, s_uj, t_ui, t_uj, d_i^S, d_i^T] plus the baseline's objective per triple, so the training log shows ALDI's
 * terms (as measurements of alignment) next to the objective that is minimised. ALDI's weights alpha, beta and
 * gamma are 0 here: they play no part.
 */
public abstract class BaselineLayer extends AldiLayer {
  /** Index of the baseline's objective per triple in the activations. */
  public static final int OBJECTIVE = OUTPUTS;

  protected BaselineLayer() {}

  /** @param sparseContent as {@link AldiLayer}'s: the item tower's first layer is a sparse layer in front */
  protected BaselineLayer(int teacherDim, int contentDim, boolean sparseContent, int hidden, boolean batchNorm,
      double initStd) {
    super(teacherDim, contentDim, sparseContent, hidden, batchNorm, 0, 0, 0, false, initStd);
  }

  /**
   * Registers the activations (the alignment columns and the objective per triple) and returns the objective
   * summed over the batch, marked as the loss (DL4J divides it by the batch size: the batch mean is minimised).
   */
  protected static SDVariable objective(SameDiff sd, SDVariable[] alignment, SDVariable perTriple) {
    SDVariable[] columns = new SDVariable[alignment.length + 1];
    System.arraycopy(alignment, 0, columns, 0, alignment.length);
    columns[alignment.length] = perTriple;
    sd.concat("activations", 1, columns);
    SDVariable loss = perTriple.sum();
    loss.markAsLoss();
    return loss;
  }

  /** ALDI's terms of the batch (as measurements) and "total" = the baseline's objective, its batch mean. */
  static Map<String, Double> terms(INDArray activations, INDArray labels, AldiLayer layer) {
    Map<String, Double> terms = new LinkedHashMap<>(AldiLoss.terms(activations, labels, layer));
    terms.put("total", activations.getColumn(OBJECTIVE).meanNumber().doubleValue());
    return terms;
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.feedForward(OUTPUTS + 1);
  }
}
