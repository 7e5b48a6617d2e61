package org.aldi.distill;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Applies the trained towers on the executors: f_U(e_u) for users, f_I(c_i) for items (Eq. 8). */
public final class StudentVectors {
  private static final int BLOCK = 1024;

  private StudentVectors() {}

  /** @param teacherUsers (id, features) → (user, vector) */
  public static Dataset<Row> users(Dataset<Row> teacherUsers, Broadcast<StudentTowers> towers) {
    return map(teacherUsers.select("id", "features"), towers, true, "user");
  }

  /** @param content (item, features) → (item, vector) */
  public static Dataset<Row> items(Dataset<Row> content, Broadcast<StudentTowers> towers) {
    return map(content.select("item", "features"), towers, false, "item");
  }

  private static Dataset<Row> map(Dataset<Row> input, Broadcast<StudentTowers> towers, boolean userTower, String idName) {
    StructType schema = new StructType()
        .add(idName, DataTypes.IntegerType, false)
        .add("vector", DataTypes.createArrayType(DataTypes.FloatType, false), false);
    JavaRDD<Row> rows = input.javaRDD().mapPartitions(it -> new Iterator<Row>() {
      private Iterator<Row> block = java.util.Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        if (!block.hasNext() && it.hasNext()) {
          block = mapBlock(it, towers.value(), userTower);
        }
        return block.hasNext();
      }

      @Override
      public Row next() {
        hasNext();
        return block.next();
      }
    });
    return SparkSession.active().createDataFrame(rows, schema);
  }

  private static Iterator<Row> mapBlock(Iterator<Row> it, StudentTowers towers, boolean userTower) {
    List<Integer> ids = new ArrayList<>(BLOCK);
    List<float[]> vectors = new ArrayList<>(BLOCK);
    while (it.hasNext() && ids.size() < BLOCK) {
      Row r = it.next();
      ids.add(r.getInt(0));
      List<Object> v = r.getList(1);
      float[] f = new float[v.size()];
      for (int k = 0; k < f.length; k++) {
        f[k] = ((Number) v.get(k)).floatValue();
      }
      vectors.add(f);
    }
    int dim = vectors.get(0).length;
    float[] flat = new float[ids.size() * dim];
    for (int r = 0; r < ids.size(); r++) {
      System.arraycopy(vectors.get(r), 0, flat, r * dim, dim);
    }
    INDArray x = Nd4j.create(flat, new long[] {ids.size(), dim}, 'c');
    INDArray out = userTower ? towers.mapUsers(x) : towers.mapItems(x);
    List<Row> rows = new ArrayList<>(ids.size());
    for (int r = 0; r < ids.size(); r++) {
      float[] vector = out.getRow(r).dup().data().asFloat();
      Float[] boxed = new Float[vector.length];
      for (int k = 0; k < vector.length; k++) {
        boxed[k] = vector[k];
      }
      rows.add(RowFactory.create(ids.get(r), boxed));
    }
    return rows.iterator();
  }
}
