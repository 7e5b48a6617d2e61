package org.aldi.baselines;

import java.util.Map;
import org.aldi.distill.StudentTowers;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * DropoutNet (Volkovs et al. 2017), the paper's dropout baseline (Eq. 5): towers f_U(e_u) and f_I([e_i, c_i]) whose
 * dot product is trained to reproduce the teacher's score, objective per triple
 * (s_ui - e_u . e_i)^2 + (s_uj - e_u . e_j)^2, with each item's behaviour embedding multiplied by its keep mask
 * (0 = dropped: the item is seen as cold). Input rows: ALDI's and the masks, [e_u | e_i | e_j | c_i | c_j | keep_i |
 * keep_j] ({@link DropoutBatches}). Dense content only: its item tower's first layer reads [e_i, c_i] together.
 */
public class DropoutNetLayer extends BaselineLayer {
  /** For DL4J's JSON deserialisation. */
  public DropoutNetLayer() {}

  public DropoutNetLayer(int teacherDim, int contentDim, int hidden, boolean batchNorm, double initStd) {
    super(teacherDim, contentDim, false, hidden, batchNorm, initStd);
  }

  @Override
  public SDVariable defineLayer(SameDiff sd, SDVariable input, SDVariable labels, Map<String, SDVariable> p) {
    SDVariable[] x = inputParts(input);
    int masks = super.inputWidth();
    SDVariable keepI = input.get(SDIndex.all(), SDIndex.interval(masks, masks + 1));
    SDVariable keepJ = input.get(SDIndex.all(), SDIndex.interval(masks + 1, masks + 2));
    SDVariable fu = tower(sd, p, StudentTowers.USER, x[0])[0];
    SDVariable[] g = tower(sd, p, StudentTowers.ITEM,
        sd.concat(1, x[1].mul(keepI), x[3]), sd.concat(1, x[2].mul(keepJ), x[4]));   // f_I([e_i, c_i]), f_I([e_j, c_j])
    SDVariable[] a = alignment(sd, x[0], x[1], x[2], fu, g[0], g[1]);
    SDVariable perTriple = sd.math().square(a[0].sub(a[2])).add(sd.math().square(a[1].sub(a[3])));
    return objective(sd, a, perTriple);
  }

  /** ALDI's row and the two keep masks. */
  @Override
  public int inputWidth() {
    return super.inputWidth() + 2;
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    defineTower(params, StudentTowers.USER, getTeacherDim());
    defineTower(params, StudentTowers.ITEM, getTeacherDim() + getContentDim());
  }
}
