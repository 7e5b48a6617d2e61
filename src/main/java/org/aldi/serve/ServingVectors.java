package org.aldi.serve;

import static org.apache.spark.sql.functions.col;

import java.util.List;
import org.aldi.config.Settings;
import org.aldi.score.Eq9;
import org.aldi.score.ScoringVectors;
import org.aldi.split.SplitStage;
import org.aldi.store.RunFolder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stacked vectors of Eq. 9 for serving a trained run: users [e_u ; f_U(e_u)], warm items [e_i ; 0] and cold
 * items [0 ; f_I(c_i)], where the cold items are the run's non-warm items and, when the embed job's output is
 * complete, the new items of the daily batch. Built by {@link Eq9}; shared by the recommend and export jobs.
 */
public final class ServingVectors {
  private static final Logger LOG = LoggerFactory.getLogger(ServingVectors.class);
  /** Stage name of the embed job's output when aldi.serve.new-item-vectors is empty. */
  public static final String NEW_ITEMS = "new_items";

  private ServingVectors() {}

  /**
   * The embed job's output, named as {@link RunFolder#stagePath} takes it: new_items of the run folder, or
   * aldi.serve.new-item-vectors.
   */
  public static String newItems(Settings settings) {
    return settings.serve.newItemVectors.isEmpty() ? NEW_ITEMS : settings.serve.newItemVectors;
  }

  /** The outputs that the serving vectors and original ids come from (the recommend and export jobs' upstream). */
  static List<String> upstream(Settings settings) {
    return List.of(RunFolder.INPUT, RunFolder.SPLIT, RunFolder.BACKBONE, RunFolder.MODEL, newItems(settings));
  }

  /** (user, vector) = [e_u ; f_U(e_u)] for every user with a teacher and a student vector. */
  public static Dataset<Row> users(RunFolder run) {
    return Eq9.users(ScoringVectors.read(run).warmUsers(), run.read(RunFolder.MODEL, "student_users"));
  }

  /** (item, vector, cold): the run's warm and cold items, plus the embedded new items when there are any. */
  public static Dataset<Row> items(RunFolder run, Settings settings) {
    Dataset<Row> students = run.read(RunFolder.MODEL, "student_items").select("item", "vector");
    Dataset<Row> cold = run.read(RunFolder.SPLIT, "item_role").where(col("role").notEqual(SplitStage.WARM))
        .select("item");
    String newItems = newItems(settings);
    if (run.isComplete(newItems)) {
      Dataset<Row> fresh = run.read(newItems, "item_vectors").select("item", "vector");
      LOG.info("serving: new items from {}", run.stagePath(newItems));
      students = students.unionByName(fresh);
      cold = cold.unionByName(fresh.select("item"));
    }
    return Eq9.items(ScoringVectors.read(run).warmItems(), students, cold);
  }
}
