package org.aldi.score;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.aldi.testing.TestSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.aldi.testing.Vectors;
import org.junit.jupiter.api.Test;

class Eq9Test {
  private static final Random RANDOM = new Random(9);

  @Test
  void stackedDotProductIsTheTeacherScoreForWarmAndTheStudentScoreForCold() {
    for (int trial = 0; trial < 20; trial++) {
      float[] eu = random(5);
      float[] fu = random(3);
      float[] ei = random(5);
      float[] fi = random(3);
      float[] user = Eq9.user(eu, fu);
      assertEquals(Eq9.warmScore(eu, ei), Eq9.dot(user, Eq9.warmItem(ei, 3)));
      assertEquals(Eq9.coldScore(fu, fi), Eq9.dot(user, Eq9.coldItem(fi, 5)));
      // and not the other branch: the teacher part of the user never meets a cold item
      assertTrue(Eq9.dot(user, Eq9.coldItem(fi, 5)) != Eq9.dot(eu, ei));
    }
  }

  @Test
  void plainVectorsAreStackedInTheDocumentedOrder() {
    assertArrayEquals(new float[] {1, 2, 3}, Eq9.user(new float[] {1, 2}, new float[] {3}));
    assertArrayEquals(new float[] {1, 2, 0}, Eq9.warmItem(new float[] {1, 2}, 1));
    assertArrayEquals(new float[] {0, 0, 3}, Eq9.coldItem(new float[] {3}, 2));
  }

  @Test
  void dataFrameBuildersMatchThePlainFunctions() {
    SparkSession spark = TestSpark.get();
    Dataset<Row> teacherUsers = vectors(spark, "id", "features", Map.of(1, new float[] {1, 2}, 2, new float[] {3, 4}));
    Dataset<Row> studentUsers = vectors(spark, "user", "vector", Map.of(1, new float[] {5, 6, 7}));
    Dataset<Row> teacherItems =
        vectors(spark, "id", "features", Map.of(10, new float[] {1, 1}, 11, new float[] {2, 2}));
    Dataset<Row> studentItems = vectors(spark, "item", "vector",
        Map.of(10, new float[] {9, 9, 9}, 11, new float[] {8, 8, 8}, 12, new float[] {1, 0, 1}));
    Dataset<Row> cold = spark.createDataFrame(List.of(RowFactory.create(12)),
        new StructType().add("item", DataTypes.IntegerType));

    List<Row> users = Eq9.users(teacherUsers, studentUsers).collectAsList();
    assertEquals(1, users.size(), "user 2 has no student vector");
    assertArrayEquals(Eq9.user(new float[] {1, 2}, new float[] {5, 6, 7}), Vectors.floats(users.get(0).getList(1)));

    Map<Integer, Row> items = new HashMap<>();
    for (Row r : Eq9.items(teacherItems, studentItems, cold).collectAsList()) {
      items.put(r.getInt(0), r);
    }
    assertEquals(3, items.size());
    assertArrayEquals(Eq9.warmItem(new float[] {2, 2}, 3), Vectors.floats(items.get(11).getList(1)));
    assertFalse(items.get(11).getBoolean(2));
    assertArrayEquals(Eq9.coldItem(new float[] {1, 0, 1}, 2), Vectors.floats(items.get(12).getList(1)));
    assertTrue(items.get(12).getBoolean(2));
  }

  private static Dataset<Row> vectors(SparkSession spark, String idCol, String vecCol, Map<Integer, float[]> rows) {
    StructType schema = new StructType().add(idCol, DataTypes.IntegerType)
        .add(vecCol, DataTypes.createArrayType(DataTypes.FloatType));
    List<Row> list = rows.entrySet().stream().map(e -> {
      Float[] boxed = new Float[e.getValue().length];
      for (int i = 0; i < boxed.length; i++) {
        boxed[i] = e.getValue()[i];
      }
      return RowFactory.create(e.getKey(), boxed);
    }).toList();
    return spark.createDataFrame(list, schema);
  }

  private static float[] random(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) RANDOM.nextGaussian();
    }
    return v;
  }
}
