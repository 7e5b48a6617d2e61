package org.aldi.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.aldi.distill.StudentTowers;
import org.aldi.testing.TestSpark;
import org.aldi.testing.Vectors;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Serving reads sparse content as it reads dense content: the spark.ml model maps an ml SparseVector column to the
 * same f_I(c) as the array column of the same content (the item tower's first layer over the non-zero entries
 * only), and keeps the other columns.
 */
class SparseContentServeTest {
  static final int C = 40;
  static final int H = 5;
  static final int D = 3;

  @Test
  void sparseVectorsMapAsTheirDenseArrays() {
    Random random = new Random(4);
    Map<String, float[]> arrays = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (String tower : new String[] {StudentTowers.USER, StudentTowers.ITEM}) {
      int in = tower.equals(StudentTowers.USER) ? D : C;
      put(arrays, shapes, tower + StudentTowers.W1, random, in, H);
      put(arrays, shapes, tower + StudentTowers.B1, random, 1, H);
      put(arrays, shapes, tower + StudentTowers.W2, random, H, D);
      put(arrays, shapes, tower + StudentTowers.B2, random, 1, D);
    }
    AldiModel model = new AldiModel("m", StudentTowers.of(arrays, shapes, false));

    List<Row> dense = new ArrayList<>();
    List<Row> sparse = new ArrayList<>();
    for (int item = 0; item < 30; item++) {
      int[] set = random.ints(0, C).distinct().limit(1 + item % 4).sorted().toArray();
      double[] values = random.doubles(set.length, 0.5, 2).toArray();
      Float[] array = new Float[C];
      java.util.Arrays.fill(array, 0f);
      for (int k = 0; k < set.length; k++) {
        array[set[k]] = (float) values[k];
      }
      dense.add(RowFactory.create(item, "name" + item, array));
      sparse.add(RowFactory.create(item, "name" + item, org.apache.spark.ml.linalg.Vectors.sparse(C, set, values)));
    }
    StructType schema = new StructType().add("item", DataTypes.IntegerType).add("name", DataTypes.StringType);
    Dataset<Row> fromDense = model.transform(TestSpark.get().createDataFrame(dense,
        schema.add("features", DataTypes.createArrayType(DataTypes.FloatType)))).orderBy("item");
    Dataset<Row> fromSparse = model.transform(TestSpark.get().createDataFrame(sparse,
        schema.add("features", new VectorUDT()))).orderBy("item");
    assertEquals(List.of("item", "name", "features", "vector"), List.of(fromSparse.columns()));
    List<Row> a = fromDense.collectAsList();
    List<Row> b = fromSparse.collectAsList();
    assertEquals(30, b.size());
    for (int r = 0; r < a.size(); r++) {
      assertEquals(a.get(r).getString(1), b.get(r).getString(1));
      assertArrayEquals(Vectors.floats(a.get(r).getList(3)), Vectors.floats(b.get(r).getList(3)), 1e-5f,
          "item " + a.get(r).getInt(0));
    }
  }

  private static void put(Map<String, float[]> arrays, Map<String, long[]> shapes, String name, Random random,
      int rows, int cols) {
    float[] v = new float[rows * cols];
    for (int k = 0; k < v.length; k++) {
      v[k] = (float) random.nextGaussian();
    }
    arrays.put(name, v);
    shapes.put(name, new long[] {rows, cols});
  }
}
