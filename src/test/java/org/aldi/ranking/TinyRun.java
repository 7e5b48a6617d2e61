package org.aldi.ranking;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.aldi.config.ConfigLoader;
import org.aldi.config.Settings;
import org.aldi.store.RunFolder;
import org.aldi.store.StageOutput;
import org.aldi.testing.TestSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A hand-made run folder. Items: warm 10-13, cold_val 20-21, cold_test 22-23, cold_new 24. Users 0-3.
 * <pre>
 *   train      (0,10) (0,11) (1,10) (1,12) (2,11) (2,13) (3,12)
 *   warm_val   (0,12) (2,10)
 *   warm_test  (0,13) (1,11) (3,10)
 *   cold_val   (0,20) (1,21)
 *   cold_test  (0,22) (1,22) (2,23)
 * </pre>
 * Vectors (2-d teacher and student): every user's teacher and student vector is (1, 0); teacher items
 * 10..13 = (4,0) (3,0) (2,0) (1,0); student items 20 = (10,0), 22 = (1,0), all other items (0,0).
 */
public final class TinyRun {
  private TinyRun() {}

  public static Settings settings(String dir, String... overrides) {
    List<String> all = new ArrayList<>(List.of("run.dir=\"" + dir + "\"", "evaluate.k=[1,2]"));
    all.addAll(List.of(overrides));
    return ConfigLoader.load(List.of(), all);
  }

  /** Writes split/, backbone/ and model/ of the tiny run into dir. */
  public static RunFolder write(String dir, Settings settings) {
    SparkSession spark = TestSpark.get();
    RunFolder run = new RunFolder(spark, dir);

    StageOutput split = StageOutput.begin(run, RunFolder.SPLIT, settings);
    split.writeParquet("train", pairs(spark, 0, 10, 0, 11, 1, 10, 1, 12, 2, 11, 2, 13, 3, 12));
    split.writeParquet("warm_val", pairs(spark, 0, 12, 2, 10));
    split.writeParquet("warm_test", pairs(spark, 0, 13, 1, 11, 3, 10));
    split.writeParquet("cold_val", pairs(spark, 0, 20, 1, 21));
    split.writeParquet("cold_test", pairs(spark, 0, 22, 1, 22, 2, 23));
    List<Row> roles = new ArrayList<>();
    for (int item = 10; item <= 13; item++) {
      roles.add(RowFactory.create(item, "warm"));
    }
    roles.add(RowFactory.create(20, "cold_val"));
    roles.add(RowFactory.create(21, "cold_val"));
    roles.add(RowFactory.create(22, "cold_test"));
    roles.add(RowFactory.create(23, "cold_test"));
    roles.add(RowFactory.create(24, "cold_new"));
    split.writeParquet("item_role", spark.createDataFrame(roles,
        new StructType().add("item", DataTypes.IntegerType).add("role", DataTypes.StringType)));
    split.commit();

    Map<Integer, float[]> users = new TreeMap<>();
    for (int u = 0; u <= 3; u++) {
      users.put(u, new float[] {1, 0});
    }
    StageOutput backbone = StageOutput.begin(run, RunFolder.BACKBONE, settings);
    backbone.writeParquet("user_factors", vectors(spark, "id", "features", users));
    backbone.writeParquet("item_factors", vectors(spark, "id", "features",
        Map.of(10, new float[] {4, 0}, 11, new float[] {3, 0}, 12, new float[] {2, 0}, 13, new float[] {1, 0})));
    backbone.commit();

    Map<Integer, float[]> items = new TreeMap<>();
    for (int item : new int[] {10, 11, 12, 13, 20, 21, 22, 23, 24}) {
      items.put(item, new float[] {item == 20 ? 10 : item == 22 ? 1 : 0, 0});
    }
    StageOutput model = StageOutput.begin(run, RunFolder.MODEL, settings);
    model.writeParquet("student_users", vectors(spark, "user", "vector", users));
    model.writeParquet("student_items", vectors(spark, "item", "vector", items));
    model.commit();
    return run;
  }

  static Dataset<Row> pairs(SparkSession spark, int... userItem) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < userItem.length; i += 2) {
      rows.add(RowFactory.create(userItem[i], userItem[i + 1]));
    }
    return spark.createDataFrame(rows, new StructType().add("user", DataTypes.IntegerType)
        .add("item", DataTypes.IntegerType));
  }

  static Dataset<Row> vectors(SparkSession spark, String idCol, String vecCol, Map<Integer, float[]> byId) {
    List<Row> rows = new ArrayList<>();
    byId.forEach((id, v) -> rows.add(RowFactory.create(id, RankingEngineTest.boxed(v))));
    return spark.createDataFrame(rows, new StructType().add(idCol, DataTypes.IntegerType)
        .add(vecCol, DataTypes.createArrayType(DataTypes.FloatType)));
  }
}
