package org.aldi.baselines;

import java.util.List;
import java.util.Map;
import org.aldi.config.Settings;
import org.aldi.distill.AldiLayer;
import org.aldi.distill.Student;
import org.aldi.distill.StudentTowers;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * DeepMusic in the distillation loop ({@link DeepMusicLayer}): its towers have no user tower, so the cold branch of
 * Eq. 9 is e_u . g(c_i) as in Eq. 4, and warm items keep the teacher's scores.
 */
final class DeepMusic extends BaselineStudent {
  @Override
  public String name() {
    return "deepmusic";
  }

  @Override
  public AldiLayer layer(Settings.Distill s, int teacherDim, int contentDim) {
    return new DeepMusicLayer(teacherDim, contentDim, s.hidden, s.batchNorm, s.initStd);
  }

  @Override
  public StudentTowers towers(Map<String, INDArray> params, AldiLayer layer, List<DataSet> sample) {
    return Student.ALDI.towers(params, layer, sample);
  }
}
