package org.aldi.backbone;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.List;
import org.aldi.config.Settings;
import org.aldi.store.Lineage;
import org.aldi.store.RunFolder;
import org.aldi.store.SparkProgress;
import org.aldi.store.Stage;
import org.aldi.store.StageOutput;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the warm backbone on the training interactions and writes the teacher embeddings e_u and e_i
 * (paper Eq. 7: the teacher's score is e_u . e_i). Only warm items occur in training, so only they get e_i.
 * aldi.backbone.method: "als" (MLlib ALS, implicit feedback) or "bpr-mf" (the paper's MF, {@link BprMfTrainer}).
 */
public final class BackboneStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(BackboneStage.class);

  @Override
  public String name() {
    return RunFolder.BACKBONE;
  }

  @Override
  public Lineage lineage(Settings settings) {
    return settings.backbone.method.equals("bpr-mf")
        // BPR-MF trains on the triples and stops early on warm-validation Recall@(validation-k)
        ? Lineage.of(List.of(RunFolder.SPLIT, RunFolder.TRIPLES), "backbone", "run.seed", "evaluate.validation-k",
            "evaluate.max-users")
        : Lineage.of(List.of(RunFolder.SPLIT), "backbone", "run.seed");
  }

  @Override
  public void run(RunFolder run, Settings settings) {
    if (settings.backbone.method.equals("bpr-mf")) {
      BprMfTrainer.train(run, settings, name());
    } else {
      als(run, settings);
    }
  }

  private void als(RunFolder run, Settings settings) {
    Dataset<Row> train = run.read(RunFolder.SPLIT, "train").select(col("user"), col("item"));
    Settings.Backbone b = settings.backbone;
    LOG.info("backbone: MLlib ALS (implicit feedback), rank {}, {} iterations, regParam {}, alpha {}",
        b.dimension, b.alsMaxIter, b.alsRegParam, b.alsAlpha);
    ALS als = new ALS()
        .setImplicitPrefs(true)
        .setRank(b.dimension)
        .setMaxIter(b.alsMaxIter)
        .setRegParam(b.alsRegParam)
        .setAlpha(b.alsAlpha)
        .setNumBlocks(b.alsNumBlocks)
        .setSeed(settings.run.seed)
        .setUserCol("user")
        .setItemCol("item")
        .setRatingCol("rating");
    ALSModel model;
    // implicit-feedback ALS aggregates the Gram matrix YtY of the fixed side once per half iteration
    try (SparkProgress.Phase phase = SparkProgress.phase(run.spark(), "backbone: ALS", 2 * b.alsMaxIter,
        "aggregate at ALS.scala")) {
      model = als.fit(train.withColumn("rating", lit(1.0f)));
    }
    StageOutput.write(run, name(), settings, out -> {
      long users = out.writeParquet("user_factors", model.userFactors().orderBy("id"));
      long items = out.writeParquet("item_factors", model.itemFactors().orderBy("id"));
      LOG.info("backbone: wrote {} user and {} item embeddings of dimension {}", users, items, b.dimension);
    });
  }
}
