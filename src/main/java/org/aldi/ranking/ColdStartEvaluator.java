package org.aldi.ranking;

import static org.apache.spark.sql.functions.array_except;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.array_union;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.aldi.config.Settings;
import org.aldi.score.Eq9;
import org.aldi.store.RunFolder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cold-start evaluation protocol of the reference code (§6) over the tasks of Eq. 1-3. Built once from the
 * split; every call then only joins the new vectors with the cached ground truth and ranks.
 *
 * <p>Per task and part it prepares and caches each user's ground truth and exclusions: the exclusions are every
 * known positive of the user (train, warm and cold validation and test) that is not in the ground truth being
 * evaluated. Users: OVERALL (Eq. 1) takes the users with warm and cold ground truth in the part
 * (aldi.evaluate.overall-users = both) or with either (= either), ground truth the union, candidates every warm and
 * cold item; WARM (Eq. 2) the users with warm ground truth, candidates the warm items; COLD (Eq. 3) the users with
 * cold ground truth, candidates every cold item (roles cold_*: validation and test items alike). With
 * aldi.evaluate.max-users = N &gt; 0 only the N smallest user ids of each list are kept.
 *
 * <p>Scores follow Eq. 9. WARM uses only the teacher vectors and COLD only the student vectors: that is Eq. 9
 * restricted to one branch, without the half of the stacked product that is zero.
 *
 * <p>Not thread-safe: use it from the driver thread that created it, and close it to release the cached data.
 */
public final class ColdStartEvaluator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ColdStartEvaluator.class);

  /** The recommendation tasks of Eq. 1 (overall), Eq. 2 (warm) and Eq. 3 (cold). */
  public enum Task {
    OVERALL, WARM, COLD;

    /** Lower-case name, as used in metrics.json and the per-user datasets. */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Which ground truth: VAL = warm_val and cold_val, TEST = warm_test and cold_test. */
  public enum Part { VAL, TEST }

  /** The split's datasets: five (user:int, item:int) parts and item_role (item:int, role:string). */
  public record Split(Dataset<Row> train, Dataset<Row> warmVal, Dataset<Row> warmTest, Dataset<Row> coldVal,
      Dataset<Row> coldTest, Dataset<Row> itemRole) {

    public static Split read(RunFolder run) {
      return new Split(run.read(RunFolder.SPLIT, "train"), run.read(RunFolder.SPLIT, "warm_val"),
          run.read(RunFolder.SPLIT, "warm_test"), run.read(RunFolder.SPLIT, "cold_val"),
          run.read(RunFolder.SPLIT, "cold_test"), run.read(RunFolder.SPLIT, "item_role"));
    }
  }

  /**
   * One evaluation: means per metric and K ("precision@20", ...), the number of users averaged, the number of
   * candidate items ranked, and the per-user metrics (user, precision_at_K..., recall_at_K..., ndcg_at_K...) when
   * asked for; that Dataset is persisted and the caller unpersists it.
   */
  public record Evaluation(Task task, Part part, Map<String, Double> means, long users, int candidates,
      Dataset<Row> perUser) {}

  private final SparkSession spark;
  private final Split split;
  private final Settings.Evaluate settings;
  private final int partitions;
  private final Map<String, Dataset<Row>> queries = new HashMap<>();
  private final Map<String, Long> queryCounts = new HashMap<>();
  private final Map<Task, int[]> candidateIds = new EnumMap<>(Task.class);
  private Dataset<Row> coldItemIds;
  private Dataset<Row> known;

  public ColdStartEvaluator(Split split, Settings settings) {
    this.spark = split.train().sparkSession();
    this.split = split;
    this.settings = settings.evaluate;
    this.partitions = settings.spark.partitions;
  }

  /** Means only; see {@link #evaluate(Task, Part, Dataset, Dataset, Dataset, Dataset, int[], boolean)}. */
  public Evaluation evaluate(Task task, Part part, Dataset<Row> teacherUsers, Dataset<Row> teacherItems,
      Dataset<Row> studentUsers, Dataset<Row> studentItems, int[] ks) {
    return evaluate(task, part, teacherUsers, teacherItems, studentUsers, studentItems, ks, false);
  }

  /**
   * Ranks every candidate of the task for every user of the task and part.
   *
   * @param teacherUsers backbone user factors (id, features); not read by COLD, may be null there
   * @param teacherItems backbone item factors (id, features); not read by COLD, may be null there
   * @param studentUsers f_U(e_u) as (user, vector); not read by WARM, may be null there
   * @param studentItems f_I(c_i) as (item, vector); not read by WARM, may be null there
   * @param ks ascending distinct cut-offs
   * @throws IllegalStateException when a user of the task has no vector (the mean would silently skip them) or
   *     several
   */
  public Evaluation evaluate(Task task, Part part, Dataset<Row> teacherUsers, Dataset<Row> teacherItems,
      Dataset<Row> studentUsers, Dataset<Row> studentItems, int[] ks, boolean keepPerUser) {
    Dataset<Row> userVectors;
    Dataset<Row> itemVectors;
    switch (task) {
      case WARM -> {
        userVectors = teacherUsers.select(col("id").as("user"), col("features").as("vector"));
        itemVectors = teacherItems.select(col("id").as("item"), col("features").as("vector"));
      }
      case COLD -> {
        userVectors = studentUsers.select("user", "vector");
        itemVectors = studentItems.select("item", "vector").join(coldItemIds(), "item", "left_semi");
      }
      default -> {
        userVectors = Eq9.users(teacherUsers, studentUsers);
        itemVectors = Eq9.items(teacherItems, studentItems, coldItemIds());
      }
    }
    int[] expectedItems = candidateIds(task);
    Candidates candidates = Candidates.collect(itemVectors, expectedItems);
    if (candidates.size() < expectedItems.length) {
      LOG.warn("{} task: {} of its {} candidate items have no vector and cannot be recommended", task.key(),
          expectedItems.length - candidates.size(), expectedItems.length);
    }
    if (ks[ks.length - 1] > candidates.size()) {
      LOG.warn("{} task: K = {} is larger than its {} candidate items, so every ranked list is shorter than K; "
          + "Precision@K still divides by K (reference code)", task.key(), ks[ks.length - 1], candidates.size());
    }
    Dataset<Row> perUser = RankingEngine.perUser(queries(task, part).join(userVectors, "user"),
        RankingEngine.broadcast(spark, candidates), ks, settings.userBlockSize);
    if (keepPerUser) {
      perUser = perUser.persist(StorageLevel.MEMORY_AND_DISK());
    }
    RankingEngine.Summary summary = RankingEngine.summarize(perUser, ks);
    long expectedUsers = queryCounts.get(cacheKey(task, part));
    if (summary.users() != expectedUsers) {
      perUser.unpersist();
      throw new IllegalStateException(task.key() + " " + part + ": " + (summary.users() < expectedUsers
          ? (expectedUsers - summary.users()) + " of " + expectedUsers + " users with ground truth have no user vector"
          : "some of the " + expectedUsers + " users have more than one user vector"));
    }
    return new Evaluation(task, part, summary.means(), summary.users(), candidates.size(),
        keepPerUser ? perUser : null);
  }

  /**
   * The prepared (user:int, truth:array&lt;int&gt;, exclude:array&lt;int&gt;) of a task and part, cached; truth is
   * sorted ascending.
   */
  public Dataset<Row> queries(Task task, Part part) {
    String key = cacheKey(task, part);
    Dataset<Row> cached = queries.get(key);
    if (cached == null) {
      cached = buildQueries(task, part).repartition(partitions).persist(StorageLevel.MEMORY_AND_DISK());
      queryCounts.put(key, cached.count());
      queries.put(key, cached);
    }
    return cached;
  }

  /** The candidate item ids of a task, ascending. */
  public int[] candidateIds(Task task) {
    if (candidateIds.isEmpty()) {
      List<Row> roles = split.itemRole().select("item", "role").collectAsList();
      int[] warm = roles.stream().filter(r -> r.getString(1).equals("warm")).mapToInt(r -> r.getInt(0))
          .sorted().toArray();
      int[] cold = roles.stream().filter(r -> r.getString(1).startsWith("cold")).mapToInt(r -> r.getInt(0))
          .sorted().toArray();
      candidateIds.put(Task.WARM, warm);
      candidateIds.put(Task.COLD, cold);
      candidateIds.put(Task.OVERALL, IntStream.concat(Arrays.stream(warm), Arrays.stream(cold)).sorted().toArray());
    }
    return candidateIds.get(task);
  }

  private Dataset<Row> buildQueries(Task task, Part part) {
    Dataset<Row> warmPart = part == Part.VAL ? split.warmVal() : split.warmTest();
    Dataset<Row> coldPart = part == Part.VAL ? split.coldVal() : split.coldTest();
    Dataset<Row> truth = switch (task) {
      case WARM -> truthOf(warmPart);
      case COLD -> truthOf(coldPart);
      case OVERALL -> settings.overallUsersBoth
          ? truthOf(warmPart).withColumnRenamed("truth", "w")
              .join(truthOf(coldPart).withColumnRenamed("truth", "c"), "user")
              .select(col("user"), array_sort(array_union(col("w"), col("c"))).as("truth"))
          : truthOf(pairs(warmPart).union(pairs(coldPart)));
    };
    Dataset<Row> q = truth.join(known(), "user")
        .select(col("user"), col("truth"), array_sort(array_except(col("known"), col("truth"))).as("exclude"));
    return settings.maxUsers > 0 ? q.orderBy("user").limit(settings.maxUsers) : q;
  }

  /** (user, known): every known positive of the user, from all five parts; cached, shared by all tasks. */
  private Dataset<Row> known() {
    if (known == null) {
      known = truthOf(pairs(split.train()).union(pairs(split.warmVal())).union(pairs(split.warmTest()))
          .union(pairs(split.coldVal())).union(pairs(split.coldTest()))).withColumnRenamed("truth", "known")
          .persist(StorageLevel.MEMORY_AND_DISK());
    }
    return known;
  }

  private static Dataset<Row> pairs(Dataset<Row> part) {
    return part.select("user", "item");
  }

  /** (user, truth) with truth = the user's distinct items, ascending. */
  private static Dataset<Row> truthOf(Dataset<Row> pairs) {
    return pairs.groupBy("user").agg(array_sort(collect_set(col("item"))).as("truth"));
  }

  private Dataset<Row> coldItemIds() {
    if (coldItemIds == null) {
      List<Row> rows = Arrays.stream(candidateIds(Task.COLD)).mapToObj(i -> RowFactory.create(i)).toList();
      coldItemIds = spark.createDataFrame(rows, new StructType().add("item", DataTypes.IntegerType, false)).cache();
    }
    return coldItemIds;
  }

  private static String cacheKey(Task task, Part part) {
    return task + "/" + part;
  }

  /** Releases the cached ground truth. */
  @Override
  public void close() {
    queries.values().forEach(Dataset::unpersist);
    queries.clear();
    queryCounts.clear();
    if (coldItemIds != null) {
      coldItemIds.unpersist();
    }
    if (known != null) {
      known.unpersist();
    }
    coldItemIds = null;
    known = null;
  }
}
