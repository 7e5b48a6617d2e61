package org.aldi.distill;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.aldi.content.ContentColumn;
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
    return map(teacherUsers.select(col("id").as("user"), col("features")), "features", "vector", towers, true)
        .select("user", "vector");
  }

  /** @param content (item, features) → (item, vector) */
  public static Dataset<Row> items(Dataset<Row> content, Broadcast<StudentTowers> towers) {
    return withItemVectors(content.select("item", "features"), "features", "vector", towers).select("item", "vector");
  }

  /**
   * The input with one more column, outputCol = f_I(c) (array&lt;float&gt;) of its content column contentCol (an
   * array of numbers, or an ml Vector whose sparse rows stay sparse); every other column is kept.
   */
  public static Dataset<Row> withItemVectors(Dataset<Row> input, String contentCol, String outputCol,
      Broadcast<StudentTowers> towers) {
    return map(input, contentCol, outputCol, towers, false);
  }

  private static Dataset<Row> map(Dataset<Row> input, String inputCol, String outputCol,
      Broadcast<StudentTowers> towers, boolean userTower) {
    ContentColumn.isVector(input.schema(), inputCol);
    StructType schema = input.schema().add(outputCol, DataTypes.createArrayType(DataTypes.FloatType, false), false);
    int column = input.schema().fieldIndex(inputCol);
    JavaRDD<Row> rows = input.javaRDD().mapPartitions(it -> new Iterator<Row>() {
      private Iterator<Row> block = java.util.Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        if (!block.hasNext() && it.hasNext()) {
          block = mapBlock(it, column, towers.value(), userTower);
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

  private static Iterator<Row> mapBlock(Iterator<Row> it, int column, StudentTowers towers, boolean userTower) {
    List<Row> inputs = new ArrayList<>(BLOCK);
    List<Object> contents = new ArrayList<>(BLOCK);
    while (it.hasNext() && inputs.size() < BLOCK) {
      Row r = it.next();
      inputs.add(r);
      contents.add(ContentTable.value(r, column));
    }
    // the block's vectors in the layout of a content table: dense, or sparse slots
    ContentTable block = ContentTable.of(IntStream.range(0, inputs.size()).toArray(), contents, "input vectors");
    int width = block.width();
    float[] flat = new float[inputs.size() * width];
    for (int r = 0; r < inputs.size(); r++) {
      block.copy(r, flat, r * width, "input vectors");
    }
    INDArray x = Nd4j.create(flat, new long[] {inputs.size(), width}, 'c');
    INDArray out = userTower ? towers.mapUsers(x) : towers.mapItems(x, block.slots());
    int outDim = (int) out.columns();
    float[] vectors = out.dup('c').data().asFloat();
    List<Row> rows = new ArrayList<>(inputs.size());
    for (int r = 0; r < inputs.size(); r++) {
      Float[] boxed = new Float[outDim];
      for (int k = 0; k < outDim; k++) {
        boxed[k] = vectors[r * outDim + k];
      }
      Row in = inputs.get(r);
      Object[] values = new Object[in.size() + 1];
      for (int k = 0; k < in.size(); k++) {
        values[k] = in.get(k);
      }
      values[in.size()] = boxed;
      rows.add(RowFactory.create(values));
    }
    return rows.iterator();
  }
}
