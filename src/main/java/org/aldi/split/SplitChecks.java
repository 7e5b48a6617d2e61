package org.aldi.split;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The invariants of a split, checked with joins (nothing interaction-sized reaches the driver but counts and a
 * few examples):
 * <ol>
 *   <li>no part holds a (user, item) twice, and no pair is in two parts;
 *   <li>every pair of every part is an input interaction;
 *   <li>no cold item (of cold_val or cold_test) occurs in train, warm_val or warm_test, and no item is both a
 *       cold_val and a cold_test item;
 *   <li>every user of warm_val, warm_test, cold_val and cold_test, and every item of warm_val and warm_test,
 *       occurs in train.
 * </ol>
 */
final class SplitChecks {
  private static final Logger LOG = LoggerFactory.getLogger(SplitChecks.class);

  private SplitChecks() {}

  /** Checks the invariants; throws a {@link SplitInvariantException} naming the first one violated. */
  static void verify(SplitStage.Parts parts, Dataset<Row> interactions) {
    List<String> names = SplitStage.PARTS;
    List<Dataset<Row>> all = parts.all();
    Dataset<Row> union = all.get(0);
    for (int p = 1; p < all.size(); p++) {
      union = union.unionByName(all.get(p));
    }
    long records = union.count();
    long distinct = union.distinct().count();
    if (distinct != records) {
      throw new SplitInvariantException((records - distinct) + " (user, item) pairs occur twice in the split "
          + "(within a part or in two parts)");
    }
    none(union.join(interactions, new String[] {"user", "item"}, "left_anti"), "user",
        "pairs of the split are not input interactions (is the split from another data set?)");

    Dataset<Row> trainItems = parts.part(SplitStage.TRAIN).select("item").distinct();
    Dataset<Row> trainUsers = parts.part(SplitStage.TRAIN).select("user").distinct();
    none(parts.coldValItems().join(trainItems, "item", "left_semi"), "item",
        parts.describe(SplitStage.COLD_VAL) + " items occur in " + parts.describe(SplitStage.TRAIN));
    none(parts.coldTestItems().join(trainItems, "item", "left_semi"), "item",
        parts.describe(SplitStage.COLD_TEST) + " items occur in " + parts.describe(SplitStage.TRAIN));
    none(parts.coldValItems().join(parts.coldTestItems(), "item", "left_semi"), "item",
        "items are both " + parts.describe(SplitStage.COLD_VAL) + " and "
        + parts.describe(SplitStage.COLD_TEST) + " items");
    Dataset<Row> coldItems = parts.coldValItems().unionByName(parts.coldTestItems());
    for (int p = 1; p <= 2; p++) {
      none(all.get(p).join(coldItems, "item", "left_semi"), "item", "records of " + parts.describe(names.get(p))
          + " have a cold item");
      none(all.get(p).join(trainItems, "item", "left_anti"), "item", "records of " + parts.describe(names.get(p))
          + " have an item that is not in " + parts.describe(SplitStage.TRAIN));
    }
    for (int p = 1; p < all.size(); p++) {
      none(all.get(p).join(trainUsers, "user", "left_anti"), "user", "records of " + parts.describe(names.get(p))
          + " have a user that is not in " + parts.describe(SplitStage.TRAIN));
    }
    LOG.info("split invariants hold ({} records in the parts)", records);
  }

  private static void none(Dataset<Row> violations, String idColumn, String what) {
    long n = violations.count();
    if (n > 0) {
      String examples = violations.select(idColumn).distinct().orderBy(idColumn).limit(5).collectAsList().stream()
          .map(r -> String.valueOf(r.get(0))).collect(Collectors.joining(", "));
      throw new SplitInvariantException("split invariant violated: " + n + " " + what + " (e.g. " + idColumn + " "
          + examples + ")");
    }
  }
}
