package org.aldi.baselines;

import static org.apache.spark.sql.functions.col;

import java.util.Map;
import java.util.Random;
import org.aldi.backbone.TruncatedNormal;
import org.aldi.config.Settings;
import org.aldi.score.Eq9;
import org.aldi.store.RunFolder;
import org.aldi.store.SeededHash;
import org.aldi.store.StageOutput;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The paper's "Backbone" row: no cold-start model. Users keep e_u and every item gets a random vector (truncated
 * normal, std aldi.backbone.bpr.init-std, seeded per item), as the reference code's cold items keep the random
 * initial rows of the MF table; so warm items score e_u . e_i and cold items e_u . r_i in Eq. 9.
 */
final class BackboneOnly {
  private static final long SALT_RANDOM_ITEM = 0xBAC;
  private static final StructType VECTORS = new StructType().add("item", DataTypes.IntegerType, false)
      .add("vector", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  private BackboneOnly() {}

  static void write(RunFolder run, Settings settings, String stage) {
    Dataset<Row> users = run.read(RunFolder.BACKBONE, "user_factors");
    int dim = Eq9.dimension(users, "features");
    long seed = settings.run.seed;
    double std = settings.backbone.bprInitStd;
    Dataset<Row> items = run.spark().createDataFrame(run.read(RunFolder.INPUT, "item_content").select("item")
        .javaRDD().map(r -> RowFactory.create(r.getInt(0), randomVector(seed, r.getInt(0), dim, std))), VECTORS);
    StageOutput.write(run, stage, settings, out -> {
      out.writeParquet("student_users", users.select(col("id").as("user"), col("features").as("vector")));
      out.writeParquet("student_items", items);
      out.writeJson("history.json", Map.of("method", "backbone-only"));
    });
  }

  /** The item's random vector: truncated normal (|z| <= 2), from a generator seeded by (seed, item). */
  static Float[] randomVector(long seed, int item, int dim, double std) {
    float[] v = TruncatedNormal.sample(new Random(SeededHash.hash(seed, SALT_RANDOM_ITEM, item)), dim, std);
    Float[] boxed = new Float[dim];
    for (int k = 0; k < dim; k++) {
      boxed[k] = v[k];
    }
    return boxed;
  }
}
