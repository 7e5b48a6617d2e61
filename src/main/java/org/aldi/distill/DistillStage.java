package org.aldi.distill;

import static org.apache.spark.sql.functions.col;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aldi.config.Settings;
import org.aldi.ranking.ColdStartEvaluator;
import org.aldi.store.RunFolder;
import org.aldi.store.Stage;
import org.aldi.store.StageOutput;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the ALDI student (towers f_U, f_I) on the sampled triples ({@link EpochTrainer}: DL4J's Spark parameter
 * averaging, or one network in the driver),
 * validating every epoch on cold-validation NDCG@K and keeping the best epoch (reference code §3.3).
 *
 * <p>Writes model/: network.zip (the DL4J network of the best epoch), towers.json (inference towers with
 * batch-norm population statistics), student_users (user, vector = f_U(e_u)), student_items (item,
 * vector = f_I(c_i), every item with content), history.json (per epoch: loss terms, validation NDCG, seconds).
 */
public final class DistillStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(DistillStage.class);

  @Override
  public String name() {
    return RunFolder.MODEL;
  }

  @Override
  public void run(RunFolder run, Settings settings) {
    train(run, settings, Student.ALDI);
  }

  /** Trains a student (ALDI or a baseline of org.aldi.baselines) and writes model/. */
  public void train(RunFolder run, Settings settings, Student student) {
    SparkSession spark = run.spark();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Settings.Distill s = settings.distill;

    Dataset<Row> train = run.read(RunFolder.SPLIT, "train");
    Dataset<Row> userFactors = run.read(RunFolder.BACKBONE, "user_factors");
    Dataset<Row> itemFactors = run.read(RunFolder.BACKBONE, "item_factors");
    Dataset<Row> content = run.read(RunFolder.INPUT, "item_content");
    Dataset<Row> triples = run.read(RunFolder.TRIPLES, "triples");
    long allItems = content.count();

    FeatureTable teacherWeights = FeatureTable.ofScalars(
        TeacherWeights.compute(train, s.teacherWeightMode, s.omega, s.referenceM, allItems));
    TrainingBatches batches = student.batches(
        FeatureTable.collect(userFactors, "id", "features", "backbone/user_factors"),
        FeatureTable.collect(itemFactors, "id", "features", "backbone/item_factors"),
        FeatureTable.collect(content, "item", "features", "input/item_content"),
        teacherWeights, settings);
    Broadcast<TrainingBatches> batchesBroadcast = jsc.broadcast(batches);
    // triples per epoch set: for the throughput log and the time estimate
    Map<Integer, Long> setSizes = new LinkedHashMap<>();
    for (Row r : triples.groupBy("epoch").count().orderBy("epoch").collectAsList()) {
      setSizes.put(r.getInt(0), r.getLong(1));
    }
    int epochSets = setSizes.size();
    LOG.info("distill: teacher dimension {}, content dimension {}, {} triple sets, teacher weights '{}'",
        batches.teacherDim(), batches.contentDim(), epochSets, s.teacherWeightMode);

    // A fixed, bounded sample of training batches: batch-norm population statistics and the loss log.
    List<DataSet> monitor = monitorBatches(triples, batches, s);

    MultiLayerNetwork net = AldiNetwork.create(student.layer(s, batches.teacherDim(), batches.contentDim()), s,
        settings.run.seed);
    AldiLayer layer = AldiNetwork.layerOf(net);
    LOG.info("distill: method '{}', {} parameters, batch {}, Adam lr {}, L2 {}, alpha {} beta {} gamma {}, "
            + "rating distance {}, batch norm {}", student.name(), net.numParams(), s.batchSize, s.learningRate, s.l2,
        s.alpha, s.beta, s.gamma, s.squaredRatingDistance ? "squared" : "absolute", s.batchNorm);
    EpochTrainer trainer = EpochTrainer.create(settings, jsc, net, batches, batchesBroadcast);
    LOG.info("distill: trainer '{}'", s.localTrainer ? "local" : "parameter-averaging");

    ColdStartEvaluator evaluator = new ColdStartEvaluator(ColdStartEvaluator.Split.read(run), settings);
    int[] validationK = {settings.evaluate.validationK};
    String ndcgKey = "ndcg@" + settings.evaluate.validationK;

    List<Map<String, Object>> history = new ArrayList<>();
    double best = Double.NEGATIVE_INFINITY;
    int bestEpoch = -1;
    INDArray bestParams = null;
    StudentTowers bestTowers = null;
    int sinceBest = 0;
    long start = System.nanoTime();
    for (int epoch = 0; epoch < s.maxEpochs; epoch++) {
      long epochStart = System.nanoTime();
      int set = epoch % epochSets;
      long epochTriples = setSizes.getOrDefault(set, 0L);
      net = trainer.fit(triples.where(col("epoch").equalTo(set)).select("user", "pos", "neg"), epochTriples);
      double trainSeconds = (System.nanoTime() - epochStart) / 1e9;

      Map<String, Double> terms = lossTerms(net, monitor, layer, student);
      StudentTowers towers = student.towers(net.getLayer(0).paramTable(), layer, monitor);
      Broadcast<StudentTowers> towersBroadcast = jsc.broadcast(towers);
      Dataset<Row> studentUsers = StudentVectors.users(userFactors, towersBroadcast).cache();
      Dataset<Row> studentItems = StudentVectors.items(content, towersBroadcast).cache();
      double ndcg = evaluator.evaluate(ColdStartEvaluator.Task.COLD, ColdStartEvaluator.Part.VAL,
          null, null, studentUsers, studentItems, validationK).means().get(ndcgKey);
      studentUsers.unpersist();
      studentItems.unpersist();
      towersBroadcast.destroy();

      double seconds = (System.nanoTime() - epochStart) / 1e9;
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("epoch", epoch);
      row.putAll(terms);
      row.put("val_cold_" + ndcgKey, ndcg);
      row.put("train_seconds", trainSeconds);
      row.put("epoch_seconds", seconds);
      row.put("triples_per_second", epochTriples / trainSeconds);
      history.add(row);
      double elapsed = (System.nanoTime() - start) / 1e9;
      LOG.info(String.format("distill: epoch %3d  loss %.4f (basic %.4f rate %.4f rank %.4f iden %.4f)  "
              + "val cold %s %.4f  %.1f s (train %.1f s, %.0f triples/s)  elapsed %.0f s", epoch, terms.get("total"),
          terms.get("basic"), terms.get("rate"), terms.get("rank"), terms.get("iden"), ndcgKey, ndcg, seconds,
          trainSeconds, epochTriples / trainSeconds, elapsed));
      if (ndcg > best) {
        best = ndcg;
        bestEpoch = epoch;
        bestParams = net.params().dup();
        bestTowers = towers;
        sinceBest = 0;
      } else if (++sinceBest > s.patience) {
        LOG.info("distill: no better validation NDCG for {} epochs, stopping", sinceBest);
        break;
      }
      // at most: patience runs out (if no later epoch is better) or max-epochs is reached
      int left = Math.min(s.maxEpochs - epoch - 1, s.patience + 1 - sinceBest);
      LOG.info(String.format("distill: at most %d more epochs unless validation improves (about %.0f s at %.1f s "
          + "per epoch); at most %d more in any case", left, left * elapsed / (epoch + 1), elapsed / (epoch + 1),
          s.maxEpochs - epoch - 1));
    }
    LOG.info("distill: best epoch {} with validation cold {} {}", bestEpoch, ndcgKey, String.format("%.4f", best));
    net.setParams(bestParams);
    write(run, settings, student, net, bestTowers, monitor, userFactors, content, history, bestEpoch, best, jsc);
    batchesBroadcast.destroy();
  }

  private static List<DataSet> monitorBatches(Dataset<Row> triples, TrainingBatches batches, Settings.Distill s) {
    List<Row> rows = triples.where(col("epoch").equalTo(0)).select("user", "pos", "neg")
        .limit(s.batchNormStatBatches * s.batchSize).collectAsList();
    List<DataSet> monitor = new ArrayList<>();
    batches.batches(rows.iterator()).forEachRemaining(b -> {
      if (b.numExamples() == s.batchSize || monitor.isEmpty()) {
        monitor.add(b);
      }
    });
    return monitor;
  }

  /** Mean of each loss term over the monitor batches. */
  private static Map<String, Double> lossTerms(MultiLayerNetwork net, List<DataSet> monitor, AldiLayer layer,
      Student student) {
    Map<String, Double> sum = new LinkedHashMap<>();
    for (DataSet b : monitor) {
      student.terms(net.output(b.getFeatures()), b.getLabels(), layer).forEach((k, v) -> sum.merge(k, v, Double::sum));
    }
    sum.replaceAll((k, v) -> v / monitor.size());
    return sum;
  }

  private void write(RunFolder run, Settings settings, Student student, MultiLayerNetwork net, StudentTowers towers,
      List<DataSet> monitor, Dataset<Row> userFactors, Dataset<Row> content, List<Map<String, Object>> history,
      int bestEpoch, double best, JavaSparkContext jsc) {
    Broadcast<StudentTowers> towersBroadcast = jsc.broadcast(towers);
    StageOutput.write(run, name(), settings, out -> {
      try (OutputStream stream = out.create("network.zip")) {
        ModelSerializer.writeModel(net, stream, true);
      }
      out.writeBytes("towers.json", towers.toJson());
      out.writeParquet("student_users", StudentVectors.users(userFactors, towersBroadcast));
      out.writeParquet("student_items", StudentVectors.items(content, towersBroadcast));
      student.writeExtra(out, run, net.getLayer(0).paramTable(), AldiNetwork.layerOf(net), monitor);
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("method", student.name());
      summary.put("best_epoch", bestEpoch);
      summary.put("best_val_cold_ndcg@" + settings.evaluate.validationK, best);
      summary.put("epochs", history);
      out.writeJson("history.json", summary);
    });
    towersBroadcast.destroy();
  }
}
