package org.aldi.baselines;

import java.util.Map;
import org.aldi.distill.AldiLayer;
import org.aldi.distill.Student;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A baseline in the distillation loop: its layer is a {@link BaselineLayer}, whose objective the log reports. */
abstract class BaselineStudent implements Student {
  @Override
  public Map<String, Double> terms(INDArray output, INDArray labels, AldiLayer layer) {
    return BaselineLayer.terms(output, labels, layer);
  }
}
