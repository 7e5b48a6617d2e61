package org.aldi.serve;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;

import org.aldi.config.Settings;
import org.aldi.ranking.Candidates;
import org.aldi.ranking.RankingEngine;
import org.aldi.store.RunFolder;
import org.aldi.store.Stage;
import org.aldi.store.StageOutput;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Top-K recommendations for every user with a teacher vector, over warm, cold and new items ranked together by
 * Eq. 9 (warm items by e_u · e_i, cold and new items by f_U(e_u) · f_I(c_i)), with the full-ranking engine.
 * Every known interaction of the user (all of input/interactions: training, validation and test alike) is
 * excluded: a serving system does not recommend what the user already has. Writes recommend/recommendations
 * (user, user_id, rank, item, item_id, score, cold), with the original ids when ingest mapped them.
 */
public final class RecommendStage implements Stage {
  public static final String NAME = "recommend";

  @Override
  public String name() {
    return NAME;
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
    StageOutput.write(run, name(), settings,
        out -> out.writeParquet("recommendations", withIds.orderBy("user", "rank")));
    items.unpersist();
  }
}
