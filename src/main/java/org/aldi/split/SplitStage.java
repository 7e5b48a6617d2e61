package org.aldi.split;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.aldi.config.Settings;
import org.aldi.ingest.RowAccounting;
import org.aldi.store.Lineage;
import org.aldi.store.RunFolder;
import org.aldi.store.SeededHash;
import org.aldi.store.Stage;
import org.aldi.store.StageOutput;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage "split": divides input/interactions into train, warm val/test (by record, warm items) and cold val/test
 * (by item, items never seen in training), and gives every item of input/item_content a role.
 *
 * <p>Mode "random" follows the reference code (aldi-reference-code.md §1.4) with order-independent seeded
 * hashes in place of Python's shuffles: the same seed, data and configuration give the same split on any
 * partitioning, but not the reference's own split (mode "given" reads that one). Item counts are exact as in the
 * reference (#cold = #items - floor((1 - fraction) * #items), #cold val = floor(fraction * #cold)); warm records
 * are split by thresholds on a hash of (user, item), so their fractions hold in expectation only.
 *
 * <p>Writes split/{train, warm_val, warm_test, cold_val, cold_test} (user:int, item:int), split/item_role
 * (item:int, role:string: warm | cold_val | cold_test | cold_new) and split/summary.json. Both modes check the
 * invariants of {@link SplitChecks} and fail with a message naming the violated one.
 */
public final class SplitStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(SplitStage.class);
  public static final List<String> PARTS = List.of("train", "warm_val", "warm_test", "cold_val", "cold_test");
  public static final String TRAIN = "train";
  public static final String WARM_VAL = "warm_val";
  public static final String WARM_TEST = "warm_test";
  /** Part of a cold record whose user has no train record (reference code §1.4 step 6); it is not written. */
  public static final String DROPPED = "dropped";
  public static final String WARM = "warm";
  public static final String COLD_VAL = "cold_val";
  public static final String COLD_TEST = "cold_test";
  /** Suffix of the reason of a given-split record dropped because its user has no train record. */
  static final String USER_NOT_IN_TRAIN = "_user_not_in_train";
  /** Role of an item with content but no interaction: scored as a cold item, never in any ground truth. */
  public static final String COLD_NEW = "cold_new";

  private static final long SALT_COLD_ITEM = 0x5E1;
  private static final long SALT_WARM_RECORD = 0x5E2;
  private static final long SALT_COLD_VAL_ITEM = 0x5E3;
  /** Guards floor(fraction * n) against 0.8 * n landing just below an integer. */
  private static final double EPS = 1e-9;

  /**
   * Every assigned input record with its part (one of {@link #PARTS}, or "dropped") and, for records moved into
   * train, the reason; plus the item sets of the two cold parts (an item may have lost all its records) and the
   * mode's own summary entries.
   */
  record Parts(Dataset<Row> assignment, Dataset<Row> coldValItems, Dataset<Row> coldTestItems,
      Map<String, Object> summary, Map<String, GivenFile> givenFiles) {
    /** A part's name for messages: with the file it was read from in given mode. */
    String describe(String name) {
      return givenFiles.containsKey(name) ? name + " (given file " + givenFiles.get(name).path() + ")" : name;
    }

    Dataset<Row> part(String name) {
      return assignment.filter(col("part").equalTo(name)).select("user", "item");
    }

    List<Dataset<Row>> all() {
      return PARTS.stream().map(this::part).toList();
    }
  }

  /** A file of a given split and its number of rows. */
  record GivenFile(String path, long rows) {}

  @Override
  public String name() {
    return RunFolder.SPLIT;
  }

  @Override
  public Lineage lineage(Settings settings) {
    Settings.Split s = settings.split;
    Map<String, String> given = new LinkedHashMap<>();
    if (s.given) {
      given.put("split.given.train", s.givenTrain);
      given.put("split.given.warm-val", s.givenWarmVal);
      given.put("split.given.warm-test", s.givenWarmTest);
      given.put("split.given.cold-val", s.givenColdVal);
      given.put("split.given.cold-test", s.givenColdTest);
    }
    return new Lineage(List.of(RunFolder.INPUT), List.of("split", "run.seed"), given);
  }

  @Override
  public void run(RunFolder run, Settings settings) {
    StageOutput.write(run, name(), settings, out -> write(run, settings, out));
  }

  private void write(RunFolder run, Settings settings, StageOutput out) {
    Dataset<Row> interactions = run.read(RunFolder.INPUT, "interactions").select("user", "item")
        .persist(StorageLevel.MEMORY_AND_DISK());
    long inputRecords = interactions.count();
    Parts parts = settings.split.given
        ? givenParts(run, settings.split)
        : randomParts(interactions, settings.split, settings.run.seed);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("mode", settings.split.given ? "given" : "random");
    summary.put("seed", settings.run.seed);
    summary.put("input_records", inputRecords);
    summary.putAll(parts.summary());

    SplitChecks.verify(parts, interactions);

    Map<String, Object> partCounts = new LinkedHashMap<>();
    long inAssignment = 0;
    for (Row c : parts.assignment().groupBy("part")
        .agg(count(lit(1)), countDistinct(col("user")), countDistinct(col("item"))).collectAsList()) {
      partCounts.put(c.getString(0), Map.of("records", c.getLong(1), "users", c.getLong(2), "items", c.getLong(3)));
      inAssignment += c.getLong(1);
    }
    // given mode: input records that no given file holds (random mode assigns every record, or drops it)
    summary.put("unassigned_input_records", inputRecords - inAssignment);
    Map<String, Object> ordered = new LinkedHashMap<>();
    for (String name : PARTS) {
      Map<?, ?> c = (Map<?, ?>) partCounts.getOrDefault(name, Map.of("records", 0L, "users", 0L, "items", 0L));
      ordered.put(name, c);
      LOG.info("split {}: {} records, {} users, {} items", name, c.get("records"), c.get("users"), c.get("items"));
      out.writeParquet(name, parts.part(name).orderBy("user", "item"), ((Number) c.get("records")).longValue());
    }
    summary.put("parts", ordered);
    // the source named relative to the run folder, as the lineage names it: the same wherever the run folder is
    List<RowAccounting> accounting = rowAccounting(parts, inputRecords, RunFolder.INPUT + "/interactions");
    LOG.info("split of {}:\n{}", run.root(), RowAccounting.table(accounting));
    accounting.forEach(RowAccounting::verify);
    summary.put("row_accounting", RowAccounting.toMap(accounting));

    Dataset<Row> roles = itemRoles(run.read(RunFolder.INPUT, "item_content").select("item"), parts)
        .persist(StorageLevel.MEMORY_AND_DISK());
    Map<String, Object> roleCounts = new LinkedHashMap<>();
    long items = 0;
    for (Row r : roles.groupBy("role").count().orderBy("role").collectAsList()) {
      roleCounts.put(r.getString(0), r.getLong(1));
      items += r.getLong(1);
    }
    summary.put("item_roles", roleCounts);
    LOG.info("item roles: {}; input records in no part: {}", roleCounts, summary.get("unassigned_input_records"));
    out.writeParquet("item_role", roles.orderBy("item"), items);
    out.writeJson("summary.json", summary);
  }

  /** Reference code §1.4 steps 3-6, with seeded hashes instead of shuffles. */
  static Parts randomParts(Dataset<Row> interactions, Settings.Split split, long seed) {
    SparkSession spark = interactions.sparkSession();
    Map<String, Object> summary = new LinkedHashMap<>();
    // step 3: item-level warm/cold split; like the reference, #warm = floor((1 - fraction) * #items), the rest
    // is cold. Item-sized, so ordered on the driver: the items with the smallest seeded hash are cold.
    // step 6 (item part): the first floor(cold-val-fraction * #cold) cold items of a second seeded order are
    // cold validation items, the rest cold test items.
    List<Long> items = interactions.select("item").distinct().as(Encoders.INT()).collectAsList().stream()
        .map(i -> (long) i).collect(Collectors.toList());
    int nItems = items.size();
    int nCold = nItems - (int) Math.floor((1 - split.coldItemFraction) * nItems + EPS);
    List<Long> cold = seededOrder(items, seed, SALT_COLD_ITEM).subList(0, nCold);
    List<Long> coldOrder = seededOrder(cold, seed, SALT_COLD_VAL_ITEM);
    int nColdVal = (int) Math.floor(split.coldValFraction * nCold + EPS);
    List<Row> roleRows = new ArrayList<>();
    for (int i = 0; i < nCold; i++) {
      roleRows.add(RowFactory.create(coldOrder.get(i).intValue(), i < nColdVal ? COLD_VAL : COLD_TEST));
    }
    // small (items-sized): Spark broadcasts it by itself under spark.sql.autoBroadcastJoinThreshold
    Dataset<Row> coldRoles = spark.createDataFrame(roleRows, new StructType()
        .add("item", DataTypes.IntegerType, false).add("role", DataTypes.StringType, false));

    // step 4: warm records split by record with a seeded hash of (user, item): train / val / rest test.
    // Fractions hold in expectation (the reference's shuffle makes them exact).
    Column u = SeededHash.unitColumn(seed, SALT_WARM_RECORD, col("user"), col("item"));
    Dataset<Row> labelled = interactions.join(coldRoles, new String[] {"item"}, "left")
        .select(col("user"), col("item"),
            when(col("role").isNotNull(), col("role"))
                .when(u.lt(split.warmTrainFraction), lit(TRAIN))
                .when(u.lt(split.warmTrainFraction + split.warmValFraction), lit(WARM_VAL))
                .otherwise(lit(WARM_TEST)).as("part"),
            lit(null).cast(DataTypes.StringType).as("moved"));

    // step 5: a val record whose user has no train record moves into train, then one whose item has none
    // (against the updated train); then the same two passes for test, against train with the moved val records
    labelled = moveUnseen(labelled, WARM_VAL, "user", "val_unseen_user", false);
    labelled = moveUnseen(labelled, WARM_VAL, "item", "val_unseen_item", false);
    labelled = moveUnseen(labelled, WARM_TEST, "user", "test_unseen_user", false);
    labelled = moveUnseen(labelled, WARM_TEST, "item", "test_unseen_item", false);
    // step 6 (records): cold records whose user has no train record are dropped
    labelled = moveUnseen(labelled, COLD_VAL, "user", "cold_user_not_in_train", true);
    labelled = moveUnseen(labelled, COLD_TEST, "user", "cold_user_not_in_train", true);

    Map<String, Long> moved = new LinkedHashMap<>();
    for (Row r : labelled.filter(col("moved").isNotNull()).groupBy("moved").count().collectAsList()) {
      moved.put(r.getString(0), r.getLong(1));
    }
    for (String reason : List.of("val_unseen_user", "val_unseen_item", "test_unseen_user", "test_unseen_item",
        "cold_user_not_in_train")) {
      moved.putIfAbsent(reason, 0L);
    }
    summary.put("cold_items", nCold);
    summary.put("warm_items", nItems - nCold);
    summary.put("moved_val_to_train", Map.of("unseen_user", moved.get("val_unseen_user"),
        "unseen_item", moved.get("val_unseen_item")));
    summary.put("moved_test_to_train", Map.of("unseen_user", moved.get("test_unseen_user"),
        "unseen_item", moved.get("test_unseen_item")));
    summary.put("cold_records_dropped_user_not_in_train", moved.get("cold_user_not_in_train"));
    LOG.info("random split: {} of {} items cold ({} val, {} test); moved to train: {}", nCold, nItems, nColdVal,
        nCold - nColdVal, moved);
    return new Parts(labelled, coldRoles.filter(col("role").equalTo(COLD_VAL)).select("item"),
        coldRoles.filter(col("role").equalTo(COLD_TEST)).select("item"), summary, Map.of());
  }

  /** The ids in ascending order of hash(seed, salt, id) (ids are distinct, so the order is total). */
  private static List<Long> seededOrder(List<Long> ids, long seed, long salt) {
    return ids.stream().sorted(Comparator.comparingLong((Long id) -> SeededHash.hash(seed, salt, id))
        .thenComparing(Comparator.naturalOrder())).collect(Collectors.toList());
  }

  /**
   * Records of the given part whose id (user or item) does not occur in the current train part move into train,
   * or with drop are dropped (part "dropped"); the reason goes to column "moved". The result is materialised
   * (local checkpoint): each step joins the labels with an aggregate of themselves, so without it the plans of the
   * chained steps would double in size at every step.
   */
  private static Dataset<Row> moveUnseen(Dataset<Row> labelled, String part, String id, String reason,
      boolean drop) {
    Dataset<Row> seen = labelled.filter(col("part").equalTo(TRAIN)).select(id).distinct()
        .withColumn("seen", lit(true));
    Column unseen = col("part").equalTo(part).and(col("seen").isNull());
    return labelled.join(seen, new String[] {id}, "left").select(col("user"), col("item"),
        when(unseen, lit(drop ? DROPPED : TRAIN)).otherwise(col("part")).as("part"),
        when(unseen, lit(reason)).otherwise(col("moved")).as("moved"))
        .localCheckpoint();
  }

  /**
   * Mode "given": the five parts from CSV files with a header user,item (e.g. the paper's split). A validation or
   * test record whose user has no train record is dropped and counted (such a user has no teacher embedding, so
   * nothing can be recommended to them); everything else that breaks an invariant stops the stage
   * ({@link SplitChecks}). With aldi.data.ids = string the files hold the original ids, mapped with
   * input/user_ids and input/item_ids.
   */
  static Parts givenParts(RunFolder run, Settings.Split split) {
    String[] paths = {split.givenTrain, split.givenWarmVal, split.givenWarmTest, split.givenColdVal,
        split.givenColdTest};
    Map<String, GivenFile> files = new LinkedHashMap<>();
    Map<String, Object> summaryFiles = new LinkedHashMap<>();
    Dataset<Row> assignment = null;
    for (int p = 0; p < paths.length; p++) {
      Dataset<Row> pairs = readPairs(run, paths[p]).localCheckpoint();
      files.put(PARTS.get(p), new GivenFile(paths[p], pairs.count()));
      summaryFiles.put(PARTS.get(p), paths[p]);
      Dataset<Row> part = pairs.withColumn("part", lit(PARTS.get(p)))
          .withColumn("moved", lit(null).cast(DataTypes.StringType));
      assignment = assignment == null ? part : assignment.unionByName(part);
    }
    assignment = assignment.localCheckpoint();
    for (String part : PARTS.subList(1, PARTS.size())) {
      assignment = moveUnseen(assignment, part, "user", part + USER_NOT_IN_TRAIN, true);
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("given", summaryFiles);
    Map<String, Long> dropped = new LinkedHashMap<>();
    for (String part : PARTS.subList(1, PARTS.size())) {
      dropped.put(part, 0L);
    }
    for (Row r : assignment.where(col("part").equalTo(DROPPED)).groupBy("moved").count().collectAsList()) {
      dropped.put(r.getString(0).substring(0, r.getString(0).length() - USER_NOT_IN_TRAIN.length()), r.getLong(1));
    }
    summary.put("records_dropped_user_not_in_train", dropped);
    long droppedTotal = dropped.values().stream().mapToLong(Long::longValue).sum();
    if (droppedTotal > 0) {
      LOG.warn("given split: {} validation and test records dropped because their user has no train record (no "
          + "teacher embedding): {}", droppedTotal, dropped);
    }
    Dataset<Row> coldItems = assignment.filter(col("part").isin(COLD_VAL, COLD_TEST)).select("item", "part")
        .distinct();
    return new Parts(assignment, coldItems.filter(col("part").equalTo(COLD_VAL)).select("item"),
        coldItems.filter(col("part").equalTo(COLD_TEST)).select("item"), summary, files);
  }

  /** (user:int, item:int) of a given split file; a row without an integer (or known, for text ids) id stops. */
  private static Dataset<Row> readPairs(RunFolder run, String path) {
    Dataset<Row> raw = run.spark().read().option("header", "true").csv(path);
    List<String> columns = Arrays.asList(raw.columns());
    if (!columns.contains("user") || !columns.contains("item")) {
      throw new SplitInvariantException("the given split file " + path + " has columns " + columns
          + "; it needs a header with user and item");
    }
    // (user_id, item_id): the text of the file; (user, item): the indices
    Dataset<Row> text = raw.select(trim(col("user")).as("user_id"), trim(col("item")).as("item_id"));
    Dataset<Row> pairs;
    if (run.has(RunFolder.INPUT, "user_ids")) {
      // text ids (aldi.data.ids = string): the file holds original ids; map them as ingest did
      pairs = text.join(run.read(RunFolder.INPUT, "user_ids"), new String[] {"user_id"}, "left")
          .join(run.read(RunFolder.INPUT, "item_ids"), new String[] {"item_id"}, "left");
      failOnMissing(pairs, path, "whose user or item is not an id of the input");
    } else {
      pairs = text.select(col("user_id"), col("item_id"), col("user_id").cast(DataTypes.IntegerType).as("user"),
          col("item_id").cast(DataTypes.IntegerType).as("item"));
      failOnMissing(pairs, path, "whose user or item is missing or not an integer");
    }
    return pairs.select("user", "item");
  }

  /** Stops when a row of a given file has no (mapped) user or item index, naming a few of them. */
  private static void failOnMissing(Dataset<Row> pairs, String path, String what) {
    Dataset<Row> bad = pairs.filter(col("user").isNull().or(col("item").isNull()));
    long n = bad.count();
    if (n > 0) {
      String examples = bad.select("user_id", "item_id").limit(3).collectAsList().stream()
          .map(r -> "user=" + r.get(0) + ", item=" + r.get(1)).collect(Collectors.joining("; "));
      throw new SplitInvariantException("the given split file " + path + " has " + n + " rows " + what + " (e.g. "
          + examples + ")");
    }
  }

  /**
   * Where the records of input/interactions went (used: in a part as assigned; repaired: moved into train;
   * rejected: dropped, or in no given file) and, in given mode, the rows of each given file.
   */
  private static List<RowAccounting> rowAccounting(Parts parts, long inputRecords, String inputPath) {
    List<Row> groups = parts.assignment().groupBy("part", "moved").count().collectAsList();
    RowAccounting interactions = new RowAccounting("interactions", inputPath).in(inputRecords);
    long assigned = 0;
    long used = 0;
    for (Row r : groups) {
      assigned += r.getLong(2);
      if (r.getString(0).equals(DROPPED)) {
        interactions.rejected(r.getString(1), r.getLong(2));
      } else if (!r.isNullAt(1)) {
        interactions.repaired("moved_to_train_" + r.getString(1), r.getLong(2));
      } else {
        used += r.getLong(2);
      }
    }
    interactions.used(used);
    List<RowAccounting> all = new ArrayList<>(List.of(interactions));
    if (!parts.givenFiles().isEmpty()) {
      interactions.rejected("in_no_given_file", inputRecords - assigned);
    }
    parts.givenFiles().forEach((part, file) -> {
      RowAccounting rows = new RowAccounting("given " + part, file.path()).in(file.rows());
      for (Row r : groups) {
        if (r.getString(0).equals(part) && r.isNullAt(1)) {
          rows.used(r.getLong(2));
        } else if (r.getString(0).equals(DROPPED) && r.getString(1).equals(part + USER_NOT_IN_TRAIN)) {
          rows.rejected(USER_NOT_IN_TRAIN.substring(1), r.getLong(2));
        }
      }
      all.add(rows);
    });
    return all;
  }

  /** Every item of item_content: warm (in train), cold_val, cold_test, or cold_new (in no part). */
  static Dataset<Row> itemRoles(Dataset<Row> allItems, Parts parts) {
    Dataset<Row> warm = parts.part(TRAIN).select("item").distinct().withColumn("r", lit(WARM));
    Dataset<Row> coldVal = parts.coldValItems().withColumn("r", lit(COLD_VAL));
    Dataset<Row> coldTest = parts.coldTestItems().withColumn("r", lit(COLD_TEST));
    Dataset<Row> known = warm.unionByName(coldVal).unionByName(coldTest);
    return allItems.join(known, "item", "left")
        .select(col("item"), when(col("r").isNull(), lit(COLD_NEW)).otherwise(col("r")).as("role"));
  }
}
