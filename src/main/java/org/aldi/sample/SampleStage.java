package org.aldi.sample;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aldi.config.Settings;
import org.aldi.split.SplitStage;
import org.aldi.store.Lineage;
import org.aldi.store.RunFolder;
import org.aldi.store.SeededHash;
import org.aldi.store.Stage;
import org.aldi.store.StageOutput;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
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
import scala.Tuple2;

/**
 * Stage "triples": BPR training triples (epoch, user, pos, neg) for epoch sets 0..aldi.sample.epoch-sets-1.
 *
 * <p>Positives ("aldi.sample.positives"):
 * <ul>
 *   <li>"user-uniform" (reference code §2, utils.bpr_neg_samp): N = |train| draws per epoch, each assigned to a
 *       train user uniformly with replacement by a seeded hash of (epoch, draw), i.e. an exact multinomial with N
 *       trials; each draw takes a uniform positive among that user's train items;
 *   <li>"record": every train record is the positive of one triple per epoch.
 * </ul>
 * Negatives are uniform over warm items (split/item_role) and, unlike the reference code (which does not
 * check), re-drawn while they hit one of the user's train items; after aldi.sample.max-negative-draws draws the
 * stage fails. Train is grouped by user (one row per user with its sorted item array), so the check is exact.
 * All randomness is a hash of (seed, epoch, draw, attempt), so the triples do not depend on Spark's row order.
 */
public final class SampleStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(SampleStage.class);
  private static final long SALT_USER = 0x5A1;
  private static final long SALT_POSITIVE = 0x5A2;
  private static final long SALT_NEGATIVE = 0x5A3;
  private static final long SALT_ORDER = 0x5A4;

  static final StructType DRAWN = new StructType()
      .add("epoch", DataTypes.IntegerType, false)
      .add("user", DataTypes.IntegerType, false)
      .add("pos", DataTypes.IntegerType, false)
      .add("neg", DataTypes.IntegerType, false)
      .add("order", DataTypes.LongType, false)
      .add("draws", DataTypes.IntegerType, false);

  @Override
  public String name() {
    return RunFolder.TRIPLES;
  }

  @Override
  public Lineage lineage(Settings settings) {
    // the partitions decide how the triples are partitioned, which is how parameter averaging splits them
    return Lineage.of(List.of(RunFolder.SPLIT), "sample", "run.seed", "spark.partitions");
  }

  @Override
  public void run(RunFolder run, Settings settings) {
    StageOutput.write(run, name(), settings, out -> write(run, settings, out), NegativeSamplingException.class);
  }

  private void write(RunFolder run, Settings settings, StageOutput out) {
    SparkSession spark = run.spark();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Settings.Sample sample = settings.sample;
    long seed = settings.run.seed;
    int partitions = settings.spark.partitions;

    // item-sized: the warm items, sorted, broadcast to every task
    int[] warm = run.read(RunFolder.SPLIT, "item_role").filter(col("role").equalTo(SplitStage.WARM))
        .select("item").orderBy("item").as(Encoders.INT()).collectAsList().stream().mapToInt(i -> i).toArray();
    if (warm.length == 0) {
      throw new IllegalStateException("split/item_role has no warm item: nothing to sample negatives from");
    }
    // one row per user with its sorted train items
    JavaPairRDD<Integer, int[]> byUser = run.read(RunFolder.SPLIT, "train").javaRDD()
        .mapToPair(r -> new Tuple2<>(r.getInt(0), r.getInt(1)))
        .groupByKey(partitions)
        .mapValues(items -> {
          List<Integer> list = new ArrayList<>();
          items.forEach(list::add);
          return list.stream().mapToInt(i -> i).sorted().toArray();
        })
        .persist(StorageLevel.MEMORY_AND_DISK());
    long trainRecords = byUser.values().map(a -> (long) a.length).fold(0L, Long::sum);
    Broadcast<int[]> warmB = jsc.broadcast(warm);
    int epochs = sample.epochSets;
    int maxDraws = sample.maxNegativeDraws;

    JavaRDD<Row> drawn;
    if (sample.userUniform) {
      // user-sized: the train users, sorted; draw d of epoch e goes to users[hash(e, d) mod |users|]
      int[] users = byUser.keys().collect().stream().mapToInt(i -> i).sorted().toArray();
      Broadcast<int[]> usersB = jsc.broadcast(users);
      long perEpoch = trainRecords;
      JavaPairRDD<Integer, Long> draws = spark.range(0, perEpoch * epochs, 1, partitions).as(Encoders.LONG())
          .javaRDD()
          .mapToPair(id -> {
            int[] u = usersB.value();
            long epoch = id / perEpoch;
            return new Tuple2<>(u[SeededHash.below(SeededHash.hash(seed, SALT_USER, epoch, id % perEpoch), u.length)],
                id);
          });
      drawn = draws.join(byUser, partitions).map(t -> {
        long id = t._2._1;
        int epoch = (int) (id / perEpoch);
        long draw = id % perEpoch;
        int[] items = t._2._2;
        int pos = items[SeededHash.below(SeededHash.hash(seed, SALT_POSITIVE, epoch, draw), items.length)];
        return triple(seed, epoch, t._1, pos, draw, draw, items, warmB.value(), maxDraws);
      });
    } else {
      drawn = byUser.flatMap(t -> {
        List<Row> rows = new ArrayList<>();
        for (int epoch = 0; epoch < epochs; epoch++) {
          for (int pos : t._2) {
            long draw = ((long) t._1 << 32) | pos; // the record (user, pos) identifies the draw
            long order = SeededHash.hash(seed, SALT_ORDER, epoch, draw);
            rows.add(triple(seed, epoch, t._1, pos, draw, order, t._2, warmB.value(), maxDraws));
          }
        }
        return rows.iterator();
      });
    }
    Dataset<Row> triples = spark.createDataFrame(drawn, DRAWN).persist(StorageLevel.MEMORY_AND_DISK());

    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("positives", sample.userUniform ? "user-uniform" : "record");
    summary.put("user_draws", sample.userUniform
        ? "exact multinomial: |train| draws per epoch, each assigned to a train user by a seeded hash"
        : "none: every train record once per epoch");
    summary.put("epoch_sets", epochs);
    summary.put("train_records", trainRecords);
    summary.put("train_users", byUser.count());
    summary.put("warm_items", warm.length);
    List<Long> perEpoch = new ArrayList<>();
    List<Long> usersPerEpoch = new ArrayList<>();
    for (Row r : triples.groupBy("epoch").agg(count(lit(1)), countDistinct(col("user"))).orderBy("epoch")
        .collectAsList()) {
      perEpoch.add(r.getLong(1));
      usersPerEpoch.add(r.getLong(2));
    }
    Row d = triples.agg(sum(col("draws").minus(1)), max("draws")).first();
    long total = perEpoch.stream().mapToLong(Long::longValue).sum();
    summary.put("triples", total);
    summary.put("triples_per_epoch", perEpoch);
    summary.put("users_per_epoch", usersPerEpoch);
    summary.put("negative_redraws", d.getLong(0));
    summary.put("max_draws_for_one_negative", d.getInt(1));
    LOG.info("triples: {} epoch sets of {} positives, {} triples in all ({} per epoch), {} negatives re-drawn "
        + "(hit a train item), at most {} draws for one", epochs, summary.get("positives"), total, perEpoch,
        d.getLong(0), d.getInt(1));

    // stored by epoch, and within an epoch in the seeded order of the draws: a shuffled stream
    out.writeParquet("triples", triples.sort("epoch", "order", "user", "pos").select("epoch", "user", "pos", "neg"),
        total);
    out.writeJson("summary.json", summary);
    triples.unpersist();
    byUser.unpersist();
  }

  /** One triple with a negative re-drawn while it is a train item of the user (at most maxDraws draws). */
  private static Row triple(long seed, int epoch, int user, int pos, long draw, long order, int[] positives,
      int[] warm, int maxDraws) {
    for (int attempt = 1; attempt <= maxDraws; attempt++) {
      int neg = warm[SeededHash.below(SeededHash.hash(seed, SALT_NEGATIVE, epoch, draw, attempt), warm.length)];
      if (Arrays.binarySearch(positives, neg) < 0) {
        return RowFactory.create(epoch, user, pos, neg, order, attempt);
      }
    }
    throw new NegativeSamplingException("user " + user + ": no negative item after aldi.sample.max-negative-draws = "
        + maxDraws + " draws; the user has " + positives.length + " train items and there are " + warm.length
        + " warm items");
  }
}
