package org.aldi.serve;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.aldi.config.Settings;
import org.aldi.content.ContentColumn;
import org.aldi.distill.StudentTowers;
import org.aldi.distill.StudentVectors;
import org.aldi.store.Lineage;
import org.aldi.store.RunFolder;
import org.aldi.store.Stage;
import org.aldi.store.StageOutput;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Daily inference for new items: maps the content of a batch of brand-new items (aldi.serve.new-items) through
 * the trained item tower, f_I(c_i) (Eq. 8, batch norm with its population statistics), without retraining. Warm
 * items and everything else in the run folder stay as they are; the output (item_vectors: item, vector) goes to
 * aldi.serve.new-item-vectors, by default &lt;run&gt;/new_items.
 */
public final class EmbedStage implements Stage {
  @Override
  public String name() {
    return ServingVectors.NEW_ITEMS;
  }

  @Override
  public Lineage lineage(Settings settings) {
    return new Lineage(List.of(RunFolder.INPUT, RunFolder.MODEL), List.of(),
        settings.serve.newItems.isEmpty() ? Map.of() : Map.of("serve.new-items", settings.serve.newItems));
  }

  @Override
  public void run(RunFolder run, Settings settings) {
    if (settings.serve.newItems.isEmpty()) {
      throw new IllegalArgumentException("aldi.serve.new-items is empty: set it to the Parquet content of the new "
          + "items (item:int, features: array<float> or ml Vector)");
    }
    StudentTowers towers = towers(run);
    Dataset<Row> content = run.spark().read().parquet(settings.serve.newItems).select("item", "features");
    check(run, content, towers.contentDim(), settings.serve.newItems);
    Broadcast<StudentTowers> broadcast =
        JavaSparkContext.fromSparkContext(run.spark().sparkContext()).broadcast(towers);
    StageOutput.write(run, ServingVectors.newItems(settings), settings,
        out -> out.writeParquet("item_vectors", StudentVectors.items(content, broadcast)));
    broadcast.destroy();
  }

  /** The inference towers of the run's model (model/towers.json). */
  public static StudentTowers towers(RunFolder run) {
    try (InputStream in = run.open(RunFolder.MODEL, "towers.json")) {
      return StudentTowers.fromJson(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model/towers.json of " + run.root(), e);
    }
  }

  /** New items need a content vector of the trained width, distinct ids, and ids that are not the run's items. */
  private static void check(RunFolder run, Dataset<Row> content, int dim, String path) {
    boolean vector;
    try {
      vector = ContentColumn.isVector(content.schema(), "features");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + ": " + e.getMessage());
    }
    long bad = content.where(col("item").isNull().or(col("features").isNull())
        .or(ContentColumn.dimension(col("features"), vector).notEqual(dim))).count();
    if (bad > 0) {
      throw new IllegalArgumentException(path + ": " + bad + " rows have no item id or a content vector whose "
          + "length is not the model's content dimension " + dim);
    }
    List<Row> nonFinite = content.where(not(ContentColumn.finite(col("features"), vector))).select("item").orderBy("item").limit(5)
        .collectAsList();
    if (!nonFinite.isEmpty()) {
      throw new IllegalArgumentException(path + ": items " + nonFinite.stream().map(r -> r.get(0).toString()).toList()
          + (nonFinite.size() == 5 ? " (and maybe more)" : "") + " have a NaN, infinite or null content value");
    }
    long duplicates = content.groupBy("item").count().where(col("count").gt(1)).count();
    if (duplicates > 0) {
      throw new IllegalArgumentException(path + ": " + duplicates + " item ids occur more than once");
    }
    List<Row> known = content.select("item")
        .join(run.read(RunFolder.INPUT, "item_content").select("item"), "item", "left_semi").limit(5).collectAsList();
    if (!known.isEmpty()) {
      throw new IllegalArgumentException(path + ": items " + known.stream().map(r -> r.get(0).toString()).toList()
          + (known.size() == 5 ? " (and maybe more)" : "") + " are already items of the run " + run.root()
          + "; new items need new ids");
    }
  }
}
