package org.aldi.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.dataset.DataSet;

/** The local trainer's step (no score pass) moves the parameters exactly as DL4J's own fit does. */
class TrainingStepTest {
  @ParameterizedTest(name = "sparse={0}")
  @ValueSource(booleans = {false, true})
  void stepEqualsFit(boolean sparse) {
    MultiLayerNetwork fitted = SparseContentTest.network(sparse, true);
    MultiLayerNetwork stepped = SparseContentTest.network(sparse, true);
    assertArrayEquals(fitted.params().toDoubleVector(), stepped.params().toDoubleVector());
    for (int k = 0; k < 6; k++) {
      DataSet batch = SparseContentTest.batches(100 + k)[sparse ? 1 : 0];
      fitted.fit(batch);
      EpochTrainer.step(stepped, batch);
    }
    assertEquals(fitted.getIterationCount(), stepped.getIterationCount());
    assertArrayEquals(fitted.params().toDoubleVector(), stepped.params().toDoubleVector(), 1e-12);
  }
}
