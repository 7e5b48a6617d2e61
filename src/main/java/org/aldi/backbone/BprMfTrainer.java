package org.aldi.backbone;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aldi.config.Settings;
import org.aldi.ranking.ColdStartEvaluator;
import org.aldi.store.RunFolder;
import org.aldi.store.StageOutput;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains {@link BprMf} on the sampled triples (epoch e uses triple set e mod sets), streamed from Spark one
 * partition at a time; validates every epoch on warm-validation Recall@K (cold items are not candidates, the
 * user's other known positives are excluded) and keeps the best epoch, stopping after aldi.backbone.bpr.patience
 * epochs without a strictly better one (reference code §2). Writes user_factors and item_factors as ALS does,
 * plus history.json.
 */
final class BprMfTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(BprMfTrainer.class);
  private static final StructType FACTORS = new StructType().add("id", DataTypes.IntegerType, false)
      .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  private BprMfTrainer() {}

  static void train(RunFolder run, Settings settings, String stage) {
    SparkSession spark = run.spark();
    Settings.Backbone b = settings.backbone;
    Dataset<Row> train = run.read(RunFolder.SPLIT, "train");
    Dataset<Row> triples = run.read(RunFolder.TRIPLES, "triples");
    int[] userIds = sortedIds(train, "user");
    int[] itemIds = sortedIds(train, "item");
    Row lastSet = triples.agg(max("epoch")).first();
    if (lastSet.isNullAt(0)) {
      throw new IllegalStateException("triples/triples is empty: BPR-MF has nothing to train on");
    }
    int sets = lastSet.getInt(0) + 1;
    BprMf mf = new BprMf(userIds, itemIds, b.dimension, b.bprInitStd, b.bprLearningRate, b.bprReg, settings.run.seed);
    LOG.info("backbone: BPR-MF, dimension {}, {} users, {} items, batch {}, Adam lr {}, reg {}, {} triple sets",
        b.dimension, userIds.length, itemIds.length, b.bprBatchSize, b.bprLearningRate, b.bprReg, sets);

    int k = settings.evaluate.validationK;
    String recallKey = "recall@" + k;
    List<Map<String, Object>> history = new ArrayList<>();
    double best = Double.NEGATIVE_INFINITY;
    int bestEpoch = -1;
    float[][] bestParams = null;
    int sinceBest = 0;
    long start = System.nanoTime();
    try (ColdStartEvaluator evaluator = new ColdStartEvaluator(ColdStartEvaluator.Split.read(run), settings)) {
      for (int epoch = 0; epoch < b.bprMaxEpochs; epoch++) {
        long epochStart = System.nanoTime();
        double loss = 0;
        int batches = 0;
        Iterator<Row> rows = triples.where(col("epoch").equalTo(epoch % sets)).select("user", "pos", "neg")
            .toLocalIterator();
        int[][] batch = new int[3][b.bprBatchSize];
        int n = 0;
        while (rows.hasNext()) {
          Row r = rows.next();
          batch[0][n] = mf.userRow(r.getInt(0));
          batch[1][n] = mf.itemRow(r.getInt(1));
          batch[2][n] = mf.itemRow(r.getInt(2));
          if (++n == b.bprBatchSize || !rows.hasNext()) {
            loss += n == b.bprBatchSize ? mf.step(batch[0], batch[1], batch[2])
                : mf.step(prefix(batch[0], n), prefix(batch[1], n), prefix(batch[2], n));
            batches++;
            n = 0;
          }
        }
        double trainSeconds = (System.nanoTime() - epochStart) / 1e9;
        Dataset<Row> users = factors(spark, mf.userIds, mf.users, mf.dim);
        Dataset<Row> items = factors(spark, mf.itemIds, mf.items, mf.dim);
        double recall = evaluator.evaluate(ColdStartEvaluator.Task.WARM, ColdStartEvaluator.Part.VAL, users, items,
            null, null, new int[] {k}).means().get(recallKey);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("epoch", epoch);
        row.put("loss", loss / Math.max(1, batches));
        row.put("val_warm_" + recallKey, recall);
        row.put("train_seconds", trainSeconds);
        row.put("epoch_seconds", (System.nanoTime() - epochStart) / 1e9);
        history.add(row);
        LOG.info(String.format("backbone: BPR-MF epoch %3d  loss %.4f  val warm %s %.4f  %.1f s  elapsed %.0f s",
            epoch, loss / Math.max(1, batches), recallKey, recall, (System.nanoTime() - epochStart) / 1e9,
            (System.nanoTime() - start) / 1e9));
        if (recall > best) {
          best = recall;
          bestEpoch = epoch;
          bestParams = mf.snapshot();
          sinceBest = 0;
        } else if (++sinceBest >= b.bprPatience) {
          LOG.info("backbone: no better validation recall for {} epochs, stopping", sinceBest);
          break;
        }
        // at most: patience runs out (if no later epoch is better) or max-epochs is reached
        int left = Math.min(b.bprMaxEpochs - epoch - 1, b.bprPatience - sinceBest);
        double perEpoch = (System.nanoTime() - start) / 1e9 / (epoch + 1);
        LOG.info(String.format("backbone: BPR-MF: at most %d more epochs unless validation improves (about %.0f s at "
            + "%.1f s per epoch); at most %d more in any case", left, left * perEpoch, perEpoch,
            b.bprMaxEpochs - epoch - 1));
      }
    }
    LOG.info("backbone: BPR-MF best epoch {} with validation warm {} {}", bestEpoch, recallKey,
        String.format("%.4f", best));
    float[][] params = bestParams;
    int bestAt = bestEpoch;
    double bestRecall = best;
    StageOutput.write(run, stage, settings, out -> {
      long users = out.writeParquet("user_factors", factors(spark, mf.userIds, params[0], mf.dim));
      long items = out.writeParquet("item_factors", factors(spark, mf.itemIds, params[1], mf.dim));
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("method", "bpr-mf");
      summary.put("best_epoch", bestAt);
      summary.put("best_val_warm_" + recallKey, bestRecall);
      summary.put("epochs", history);
      out.writeJson("history.json", summary);
      LOG.info("backbone: wrote {} user and {} item embeddings of dimension {}", users, items, mf.dim);
    });
  }

  private static int[] sortedIds(Dataset<Row> train, String column) {
    return train.select(column).distinct().as(Encoders.INT()).collectAsList().stream().mapToInt(Integer::intValue)
        .sorted().toArray();
  }

  private static int[] prefix(int[] a, int n) {
    return Arrays.copyOf(a, n);
  }

  /** (id, features) rows from a row-major table; user- or item-sized. */
  static Dataset<Row> factors(SparkSession spark, int[] ids, float[] table, int dim) {
    List<Row> rows = new ArrayList<>(ids.length);
    for (int r = 0; r < ids.length; r++) {
      Float[] v = new Float[dim];
      for (int k = 0; k < dim; k++) {
        v[k] = table[r * dim + k];
      }
      rows.add(RowFactory.create(ids[r], v));
    }
    return spark.createDataFrame(rows, FACTORS);
  }
}
