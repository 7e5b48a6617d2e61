package org.aldi.serve;

import static org.apache.spark.sql.functions.col;

import org.aldi.config.Settings;
import org.aldi.score.Eq9;
import org.aldi.score.ScoringVectors;
import org.aldi.split.SplitStage;
import org.aldi.store.RunFolder;
import org.apache.hadoop.fs.Path;
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

  /** Where the embed job's output is: a folder holding it, and its name there (a stage of that folder). */
  public record Location(RunFolder folder, String stage) {}

  public static Location newItemsLocation(RunFolder run, Settings settings) {
    if (settings.serve.newItemVectors.isEmpty()) {
      return new Location(run, NEW_ITEMS);
    }
    Path path = new Path(settings.serve.newItemVectors);
    return new Location(new RunFolder(run.spark(), path.getParent().toString()), path.getName());
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
    Location location = newItemsLocation(run, settings);
    if (location.folder().isComplete(location.stage())) {
      Dataset<Row> fresh = location.folder().read(location.stage(), "item_vectors").select("item", "vector");
      LOG.info("serving: new items from {}", location.folder().stagePath(location.stage()));
      students = students.unionByName(fresh);
      cold = cold.unionByName(fresh.select("item"));
    }
    return Eq9.items(ScoringVectors.read(run).warmItems(), students, cold);
  }
}
