package org.aldi.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.aldi.testing.TestSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Teacher-qualifying weights against hand computation on a tiny training set. */
class TeacherWeightsTest {
  // users: 0 has items {10, 11}; 1 has {10}; 2 has {10, 11, 12}
  private static Dataset<Row> train() {
    List<Row> rows = List.of(RowFactory.create(0, 10), RowFactory.create(0, 11), RowFactory.create(1, 10),
        RowFactory.create(2, 10), RowFactory.create(2, 11), RowFactory.create(2, 12));
    return TestSpark.get().createDataFrame(rows,
        new StructType().add("user", DataTypes.IntegerType).add("item", DataTypes.IntegerType));
  }

  @Test
  void paperFormulaEq21() {
    Map<Integer, Float> w = TeacherWeights.compute(train(), "paper", 5.0, 4.0, 20);
    // N = {10: 3, 11: 2, 12: 1}, mean N = 2; w = 2 / (1 + exp(-5 N / 2)) - 1
    assertEquals(2 / (1 + Math.exp(-7.5)) - 1, w.get(10), 1e-6);
    assertEquals(2 / (1 + Math.exp(-5.0)) - 1, w.get(11), 1e-6);
    assertEquals(2 / (1 + Math.exp(-2.5)) - 1, w.get(12), 1e-6);
  }

  @Test
  void referenceCodeFormula() {
    Map<Integer, Float> w = TeacherWeights.compute(train(), "reference", 5.0, 4.0, 20);
    // f_i = sum over the item's users of 1/|N(u)|: f10 = 1/2 + 1 + 1/3, f11 = 1/2 + 1/3, f12 = 1/3
    // xbar = users / items = 3 / 20; w = tanh(m * min(f / xbar, 1))
    double xbar = 3 / 20.0;
    assertEquals(Math.tanh(4 * Math.min((0.5 + 1 + 1 / 3.0) / xbar, 1)), w.get(10), 1e-6);
    assertEquals(Math.tanh(4 * Math.min((0.5 + 1 / 3.0) / xbar, 1)), w.get(11), 1e-6);
    assertEquals(Math.tanh(4 * Math.min((1 / 3.0) / xbar, 1)), w.get(12), 1e-6);
    Map<Integer, Float> rare = TeacherWeights.compute(train(), "reference", 5.0, 4.0, 2);
    // with xbar = 3/2 the clip is not reached for item 12
    assertEquals(Math.tanh(4 * (1 / 3.0) / 1.5), rare.get(12), 1e-6);
  }

  @Test
  void offMeansOne() {
    Map<Integer, Float> w = TeacherWeights.compute(train(), "off", 5.0, 4.0, 20);
    assertEquals(3, w.size());
    w.values().forEach(v -> assertEquals(1f, v));
  }
}
