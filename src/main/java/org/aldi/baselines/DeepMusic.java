package org.aldi.baselines;

import java.util.List;
import org.aldi.config.Settings;
import org.aldi.distill.AldiLayer;
import org.aldi.distill.InputLayout;
import org.aldi.distill.Student;
import org.aldi.distill.StudentTowers;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

/**
 * DeepMusic in the distillation loop ({@link DeepMusicLayer}): its towers have no user tower, so the cold branch of
 * Eq. 9 is e_u . g(c_i) as in Eq. 4, and warm items keep the teacher's scores. Dense or sparse content, as ALDI.
 */
final class DeepMusic extends BaselineStudent {
  @Override
  public String name() {
    return "deepmusic";
  }

  @Override
  public AldiLayer layer(Settings.Distill s, InputLayout layout) {
    return new DeepMusicLayer(layout.teacherDim(), layout.contentDim(), layout.slots() > 0, s.hidden, s.batchNorm,
        s.initStd);
  }

  @Override
  public StudentTowers towers(MultiLayerNetwork net, List<DataSet> sample) {
    return Student.ALDI.towers(net, sample);
  }
}
