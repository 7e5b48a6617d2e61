package org.aldi.distill;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.aldi.config.Settings;
import org.aldi.store.RunFolder;
import org.aldi.store.StageOutput;
import org.aldi.testing.TestSpark;
import org.aldi.testing.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A small synthetic world for the distillation stage, written into a run folder as the stages before it would:
 * users and items with latent tastes (the teachers are the true latent vectors), each user's top items by taste as
 * interactions, the last items cold (half validation, half test), two epoch sets of triples whose negatives rank
 * below their positives, and item content from a given function of the item tastes.
 */
final class DistillWorld {
  static final int USERS = 200;
  static final int ITEMS = 90;
  static final int WARM = 70;
  static final int LATENT = 4;
  static final int PER_USER = 10;

  /** Item content from the items' latent tastes: one value per item for the content column, of the given type. */
  interface Content {
    DataType type();

    Object of(float[] taste, Random random);
  }

  private DistillWorld() {}

  /** Writes split/, input/ (item_content only), backbone/ and triples/ of the world into the run folder. */
  static void write(RunFolder run, Settings settings, Content content) {
    SparkSession spark = TestSpark.get();
    Random random = new Random(3);
    float[][] u = Vectors.gaussian(random, USERS, LATENT);
    float[][] v = Vectors.gaussian(random, ITEMS, LATENT);
    List<Row> train = new ArrayList<>();
    List<Row> coldVal = new ArrayList<>();
    List<Row> coldTest = new ArrayList<>();
    List<Row> warmTest = new ArrayList<>();
    for (int user = 0; user < USERS; user++) {
      final int uu = user;
      Integer[] byScore = IntStream.range(0, ITEMS).boxed()
          .sorted(Comparator.comparingDouble(i -> -Vectors.dot(u[uu], v[i]))).toArray(Integer[]::new);
      for (int r = 0; r < PER_USER; r++) {
        int item = byScore[r];
        Row row = RowFactory.create(user, item);
        if (item >= WARM) {
          (item < WARM + (ITEMS - WARM) / 2 ? coldVal : coldTest).add(row);
        } else if (r == 0) {
          warmTest.add(row);
        } else {
          train.add(row);
        }
      }
    }
    StructType pairs = new StructType().add("user", DataTypes.IntegerType).add("item", DataTypes.IntegerType);
    StageOutput split = StageOutput.begin(run, RunFolder.SPLIT, settings);
    split.writeParquet("train", spark.createDataFrame(train, pairs));
    split.writeParquet("warm_val", spark.createDataFrame(warmTest, pairs));
    split.writeParquet("warm_test", spark.createDataFrame(warmTest, pairs));
    split.writeParquet("cold_val", spark.createDataFrame(coldVal, pairs));
    split.writeParquet("cold_test", spark.createDataFrame(coldTest, pairs));
    List<Row> roles = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      roles.add(RowFactory.create(i, i < WARM ? "warm" : i < WARM + (ITEMS - WARM) / 2 ? "cold_val" : "cold_test"));
    }
    split.writeParquet("item_role", spark.createDataFrame(roles,
        new StructType().add("item", DataTypes.IntegerType).add("role", DataTypes.StringType)));
    split.commit();

    StageOutput input = StageOutput.begin(run, RunFolder.INPUT, settings);
    List<Row> contentRows = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      contentRows.add(RowFactory.create(i, content.of(v[i], random), true));
    }
    input.writeParquet("item_content", spark.createDataFrame(contentRows, new StructType()
        .add("item", DataTypes.IntegerType).add("features", content.type()).add("has_content", DataTypes.BooleanType)));
    input.commit();
    StageOutput backbone = StageOutput.begin(run, RunFolder.BACKBONE, settings);
    backbone.writeParquet("user_factors", vectors(spark, u, USERS));
    backbone.writeParquet("item_factors", vectors(spark, v, WARM));
    backbone.commit();

    List<Row> triples = new ArrayList<>();
    for (int epoch = 0; epoch < 2; epoch++) {
      for (Row t : train) {
        int user = t.getInt(0);
        int neg;
        do {
          neg = random.nextInt(WARM);
        } while (Vectors.dot(u[user], v[neg]) >= Vectors.dot(u[user], v[t.getInt(1)]));
        triples.add(RowFactory.create(epoch, user, t.getInt(1), neg));
      }
    }
    StageOutput sample = StageOutput.begin(run, RunFolder.TRIPLES, settings);
    sample.writeParquet("triples", spark.createDataFrame(triples, new StructType().add("epoch", DataTypes.IntegerType)
        .add("user", DataTypes.IntegerType).add("pos", DataTypes.IntegerType).add("neg", DataTypes.IntegerType))
        .repartition(2));
    sample.commit();
  }

  private static Dataset<Row> vectors(SparkSession spark, float[][] x, int n) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Float[] f = new Float[x[i].length];
      for (int k = 0; k < f.length; k++) {
        f[k] = x[i][k];
      }
      rows.add(RowFactory.create(i, f));
    }
    return spark.createDataFrame(rows, new StructType().add("id", DataTypes.IntegerType)
        .add("features", DataTypes.createArrayType(DataTypes.FloatType)));
  }
}
