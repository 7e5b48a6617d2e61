package org.aldi.serve;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.LinkedHashMap;
import java.util.Map;
import org.aldi.config.Settings;
import org.aldi.ranking.Candidates;
import org.aldi.ranking.RankingEngine;
import org.aldi.store.Lineage;
import org.aldi.store.RunFolder;
import org.aldi.store.Stage;
import org.aldi.store.StageOutput;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Top-K recommendations for every user with a teacher vector, over warm, cold and new items ranked together by
 * Eq. 9 (warm items by e_u · e_i, cold and new items by f_U(e_u) · f_I(c_i)), with the full-ranking engine.
 * Every known interaction of the user (all of input/interactions: training, validation and test alike) is
 * excluded: a serving system does not recommend what the user already has. Writes recommend/recommendations
 * (user, user_id, rank, item, item_id, score, cold), with the original ids when ingest mapped them, and
 * recommend/summary.json (how many users got K, fewer or no recommendations).
 */
public final class RecommendStage implements Stage {
  public static final String NAME = "recommend";
  private static final Logger LOG = LoggerFactory.getLogger(RecommendStage.class);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Lineage lineage(Settings settings) {
    return Lineage.of(ServingVectors.upstream(settings), "serve.k");
  }

  @Override
  public void run(RunFolder run, Settings settings) {
    Dataset<Row> items = ServingVectors.items(run, settings).cache();
    int[] ids = items.select("item").collectAsList().stream().mapToInt(r -> r.getInt(0)).sorted().toArray();
    Candidates candidates = Candidates.collect(items, ids);
    Dataset<Row> known = run.read(RunFolder.INPUT, "interactions").groupBy("user")
        .agg(array_sort(collect_set(col("item"))).as("exclude"));
    Dataset<Row> queries = ServingVectors.users(run).join(known, "user", "left")
        .repartition(settings.spark.partitions);
    Dataset<Row> top = RankingEngine.recommend(queries, RankingEngine.broadcast(run.spark(), candidates),
        settings.serve.k, settings.evaluate.userBlockSize);
    Dataset<Row> withIds = OriginalIds.attach(run, OriginalIds.attach(run,
        top.join(items.select("item", "cold"), "item").select("user", "rank", "item", "score", "cold"), "user"),
        "item");
    long users = queries.count();
    StageOutput.write(run, name(), settings, out -> {
      out.writeParquet("recommendations", withIds.orderBy("user", "rank"));
      out.writeJson("summary.json", summary(out.readWritten("recommendations"), users, ids.length, settings.serve.k));
    });
    items.unpersist();
  }

  /**
   * How many users got a full list of K, a shorter one (fewer than K candidates left after their known items are
   * excluded, e.g. K larger than the candidates) or none (every candidate is a known item of theirs).
   */
  private static Map<String, Object> summary(Dataset<Row> recommendations, long users, int candidates, int k) {
    Row lists = recommendations.groupBy("user").count()
        .agg(count(lit(1)), sum(when(col("count").lt(k), 1).otherwise(0))).first();
    long listed = lists.getLong(0);
    long shorter = lists.isNullAt(1) ? 0 : lists.getLong(1);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("k", k);
    summary.put("candidates", candidates);
    summary.put("users", users);
    summary.put("users_with_k_recommendations", listed - shorter);
    summary.put("users_with_fewer_than_k", shorter);
    summary.put("users_without_recommendations", users - listed);
    if (shorter > 0 || users > listed) {
      LOG.warn("recommend: {} of {} users have fewer than K = {} recommendations and {} have none: fewer than K of "
          + "the {} candidate items are left after their known items are excluded", shorter, users, k, users - listed,
          candidates);
    }
    return summary;
  }
}
