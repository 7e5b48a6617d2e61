package org.aldi.score;

import static org.apache.spark.sql.functions.col;

import org.aldi.store.RunFolder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The vectors a trained run scores with (Eq. 9): the warm branch's users and items as (id, features), the cold
 * branch's as (user, vector) and (item, vector). The warm branch is the backbone's teachers, e_u . e_i, unless the
 * model is a dropout model that scores warm items through its towers too (Eq. 5): then model/warm_items holds
 * f_I([e_i, c_i]) and the warm branch is f_U(e_u) . f_I([e_i, c_i]).
 */
public record ScoringVectors(Dataset<Row> warmUsers, Dataset<Row> warmItems, Dataset<Row> coldUsers,
    Dataset<Row> coldItems) {
  /** Dataset of model/ with a dropout model's warm item vectors (item, vector). */
  public static final String WARM_ITEMS = "warm_items";

  public static ScoringVectors read(RunFolder run) {
    Dataset<Row> coldUsers = run.read(RunFolder.MODEL, "student_users");
    Dataset<Row> coldItems = run.read(RunFolder.MODEL, "student_items");
    if (run.has(RunFolder.MODEL, WARM_ITEMS)) {
      return new ScoringVectors(coldUsers.select(col("user").as("id"), col("vector").as("features")),
          run.read(RunFolder.MODEL, WARM_ITEMS).select(col("item").as("id"), col("vector").as("features")),
          coldUsers, coldItems);
    }
    return new ScoringVectors(run.read(RunFolder.BACKBONE, "user_factors"),
        run.read(RunFolder.BACKBONE, "item_factors"), coldUsers, coldItems);
  }
}
