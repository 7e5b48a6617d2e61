package org.aldi.baselines;

import java.util.Map;
import org.aldi.distill.StudentTowers;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * DeepMusic (van den Oord et al. 2013), the paper's generative baseline: one tower g = f_I over content regresses
 * the teacher item embedding, objective per triple ||g(c_i) - e_i||^2 + ||g(c_j) - e_j||^2 (squared error summed
 * over the coordinates, for the positive and the negative item). Scores: e_u . g(c_i) for a cold item (Eq. 4); there
 * is no user tower. With sparse content the item tower's first layer is the sparse layer in front, as ALDI's.
 */
public class DeepMusicLayer extends BaselineLayer {
  /** For DL4J's JSON deserialisation. */
  public DeepMusicLayer() {}

  public DeepMusicLayer(int teacherDim, int contentDim, boolean sparseContent, int hidden, boolean batchNorm,
      double initStd) {
    super(teacherDim, contentDim, sparseContent, hidden, batchNorm, initStd);
  }

  @Override
  public SDVariable defineLayer(SameDiff sd, SDVariable input, SDVariable labels, Map<String, SDVariable> p) {
    SDVariable[] x = inputParts(input);
    SDVariable[] g = tower(sd, p, StudentTowers.ITEM, x[3], x[4]);   // g(c_i), g(c_j)
    SDVariable[] alignment = alignment(sd, x[0], x[1], x[2], x[0], g[0], g[1]);
    SDVariable perTriple = sd.math().square(g[0].sub(x[1])).sum(true, 1)
        .add(sd.math().square(g[1].sub(x[2])).sum(true, 1));
    return objective(sd, alignment, perTriple);
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    defineTower(params, StudentTowers.ITEM, isSparseContent() ? 0 : getContentDim());
  }
}
