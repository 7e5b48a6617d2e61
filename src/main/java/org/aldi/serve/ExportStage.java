package org.aldi.serve;

import static org.apache.spark.sql.functions.col;

import java.util.LinkedHashMap;
import java.util.Map;
import org.aldi.config.Settings;
import org.aldi.score.Eq9;
import org.aldi.store.Lineage;
import org.aldi.store.RunFolder;
import org.aldi.store.Stage;
import org.aldi.store.StageOutput;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Export for one inner-product index (e.g. a vector database): users as [e_u ; f_U(e_u)], warm items as
 * [e_i ; 0], cold and new items as [0 ; f_I(c_i)], so that user · item is exactly Eq. 9's score and the index's
 * nearest neighbours by inner product are the Eq. 9 ranking. Writes export/user_vectors (user, user_id, vector),
 * export/item_vectors (item, item_id, cold, vector) and export/index.json (dimensions and counts). Known
 * interactions are not filtered here; the serving side excludes them.
 */
public final class ExportStage implements Stage {
  public static final String NAME = "export";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Lineage lineage(Settings settings) {
    return Lineage.of(ServingVectors.upstream(settings));
  }

  @Override
  public void run(RunFolder run, Settings settings) {
    Dataset<Row> users = OriginalIds.attach(run, ServingVectors.users(run), "user");
    Dataset<Row> items = OriginalIds.attach(run, ServingVectors.items(run, settings), "item")
        .select("item", "item_id", "cold", "vector");
    int teacherDim = Eq9.dimension(run.read(RunFolder.BACKBONE, "user_factors"), "features");
    int studentDim = Eq9.dimension(run.read(RunFolder.MODEL, "student_users"), "vector");
    StageOutput.write(run, name(), settings, out -> {
      long userCount = out.writeParquet("user_vectors", users.orderBy("user"));
      long itemCount = out.writeParquet("item_vectors", items.orderBy("item"));
      Map<String, Object> index = new LinkedHashMap<>();
      index.put("score", "inner product of user_vectors.vector and item_vectors.vector = Eq. 9");
      index.put("dimension", teacherDim + studentDim);
      index.put("teacher_dimension", teacherDim);
      index.put("student_dimension", studentDim);
      index.put("users", userCount);
      index.put("items", itemCount);
      index.put("cold_items", items.where(col("cold")).count());
      out.writeJson("index.json", index);
    });
  }
}
