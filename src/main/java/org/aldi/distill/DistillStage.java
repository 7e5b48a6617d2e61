package org.aldi.distill;

import static org.apache.spark.sql.functions.col;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.aldi.config.Settings;
import org.aldi.ranking.ColdStartEvaluator;
import org.aldi.store.Lineage;
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
 * Trains the ALDI student (towers f_U, f_I), or a baseline's ({@link Student}), on the sampled triples
 * ({@link EpochTrainer}: DL4J's Spark parameter averaging, or one network in the driver), validating every epoch on cold-validation NDCG@K and keeping the best epoch (reference code §3.3).
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
  public Lineage lineage(Settings settings) {
    // early stopping on cold-validation NDCG@(validation-k) over (at most max-users) validation users
    return Lineage.of(List.of(RunFolder.INPUT, RunFolder.SPLIT, RunFolder.TRIPLES, RunFolder.BACKBONE),
        "distill", "run.seed", "evaluate.validation-k", "evaluate.max-users");
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

    Dataset<Row> userFactors = run.read(RunFolder.BACKBONE, "user_factors");
    Dataset<Row> content = run.read(RunFolder.INPUT, "item_content");
    Dataset<Row> triples = run.read(RunFolder.TRIPLES, "triples");
    TrainingBatches batches = trainingBatches(run, settings, student);
    Broadcast<TrainingBatches> batchesBroadcast = jsc.broadcast(batches);
    // triples per epoch set: for the throughput log and the time estimate
    Map<Integer, Long> setSizes = new LinkedHashMap<>();
    for (Row r : triples.groupBy("epoch").count().orderBy("epoch").collectAsList()) {
      setSizes.put(r.getInt(0), r.getLong(1));
    }
    int epochSets = setSizes.size();
    InputLayout layout = batches.layout();
    LOG.info("distill: teacher dimension {}, content dimension {} ({}), {} triple sets, teacher weights '{}'",
        layout.teacherDim(), layout.contentDim(), layout.slots() > 0
            ? "sparse, up to " + layout.slots() + " attributes per item" : "dense",
        epochSets, s.teacherWeightMode);

    // A fixed, bounded sample of training batches: batch-norm population statistics and the loss log.
    List<DataSet> monitor = monitorBatches(triples, batches, s);

    MultiLayerNetwork net = AldiNetwork.create(student.layer(s, layout), s, layout, settings.run.seed);
    AldiLayer layer = AldiNetwork.layerOf(net);
    LOG.info("distill: method '{}', {} parameters, batch {}, Adam lr {}, L2 {}, alpha {} beta {} gamma {}, "
            + "rating distance {}, batch norm {}", student.name(), net.numParams(), s.batchSize, s.learningRate, s.l2,
        s.alpha, s.beta, s.gamma, s.squaredRatingDistance ? "squared" : "absolute", s.batchNorm);
    EpochTrainer trainer = EpochTrainer.create(settings, jsc, net, batches, batchesBroadcast);
    LOG.info("distill: trainer '{}'", s.localTrainer ? "local" : "parameter-averaging");

    String ndcgKey = "ndcg@" + settings.evaluate.validationK;
    List<Map<String, Object>> history = new ArrayList<>();
    Epoch best = null;
    int sinceBest = 0;
    long start = System.nanoTime();
    // Validation of epoch e (Spark jobs on the other core) runs while epoch e + 1 trains; if e ends the training
    // (patience runs out), epoch e + 1 is discarded, so the outcome is that of validating before going on.
    ExecutorService validator = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "aldi-validation");
      t.setDaemon(true);
      return t;
    });
    try (ColdStartEvaluator evaluator = new ColdStartEvaluator(ColdStartEvaluator.Split.read(run), settings)) {
      // the evaluator caches its queries here; from then on only the validator thread uses it
      evaluator.queries(ColdStartEvaluator.Task.COLD, ColdStartEvaluator.Part.VAL);
      Epoch pending = null;
      for (int epoch = 0; epoch <= s.maxEpochs; epoch++) {
        Epoch current = null;
        if (epoch < s.maxEpochs) {
          long epochStart = System.nanoTime();
          int set = epoch % epochSets;
          long epochTriples = setSizes.getOrDefault(set, 0L);
          net = trainer.fit(triples.where(col("epoch").equalTo(set)).select("user", "pos", "neg"), epochTriples);
          double trainSeconds = (System.nanoTime() - epochStart) / 1e9;
          Map<String, Double> terms = lossTerms(net, monitor, layer, student);
          StudentTowers towers = student.towers(net, monitor);
          current = new Epoch(epoch, trainSeconds, (System.nanoTime() - epochStart) / 1e9, epochTriples, terms, towers,
              net.params().dup());
        }
        if (pending != null) {
          pending.awaitValidation();
          double ndcg = pending.ndcg;
          history.add(pending.row(ndcgKey));
          double elapsed = (System.nanoTime() - start) / 1e9;
          LOG.info(String.format("distill: epoch %3d  loss %.4f (basic %.4f rate %.4f rank %.4f iden %.4f)  "
                  + "val cold %s %.4f  train %.1f s (%.0f triples/s), validation %.1f s  elapsed %.0f s",
              pending.epoch, pending.terms.get("total"), pending.terms.get("basic"), pending.terms.get("rate"),
              pending.terms.get("rank"), pending.terms.get("iden"), ndcgKey, ndcg, pending.trainSeconds,
              pending.triples / pending.trainSeconds, pending.validationSeconds, elapsed));
          if (best == null || ndcg > best.ndcg) {
            best = pending;
            sinceBest = 0;
          } else if (++sinceBest > s.patience) {
            LOG.info("distill: no better validation NDCG for {} epochs, stopping (epoch {} is not used)", sinceBest,
                epoch);
            break;
          }
          // epochs still to train at most: until the validation that exhausts the patience (if no later epoch is
          // better), and the one trained meanwhile; or up to max-epochs
          int trained = epoch < s.maxEpochs ? epoch + 1 : epoch;
          int left = Math.max(0, Math.min(s.maxEpochs - trained,
              s.patience + 2 - sinceBest - (trained - pending.epoch - 1)));
          double perEpoch = elapsed / trained;
          LOG.info(String.format("distill: at most %d more epochs unless validation improves (about %.0f s at %.1f s "
              + "per epoch); at most %d more in any case", left, left * perEpoch, perEpoch, s.maxEpochs - trained));
        }
        if (current != null) {
          current.validate(validator, evaluator, jsc, userFactors, content, settings.evaluate.validationK);
        }
        pending = current;
      }
    } finally {
      validator.shutdown();
    }
    LOG.info("distill: best epoch {} with validation cold {} {}", best.epoch, ndcgKey,
        String.format("%.4f", best.ndcg));
    net.setParams(best.params);
    write(run, settings, student, net, best.towers, monitor, userFactors, content, history, best.epoch, best.ndcg,
        jsc);
    batchesBroadcast.destroy();
  }

  /** The ALDI student's minibatch builder of a run ({@link #trainingBatches(RunFolder, Settings, Student)}). */
  public static TrainingBatches trainingBatches(RunFolder run, Settings settings) {
    return trainingBatches(run, settings, Student.ALDI);
  }

  /**
   * The minibatch builder of a run for a student: the teacher embeddings (backbone/), the item content (input/) and
   * the teacher weights (from split/train), all user- or item-sized, on the driver.
   */
  public static TrainingBatches trainingBatches(RunFolder run, Settings settings, Student student) {
    Settings.Distill s = settings.distill;
    Dataset<Row> content = run.read(RunFolder.INPUT, "item_content");
    FeatureTable teacherWeights = FeatureTable.ofScalars(TeacherWeights.compute(run.read(RunFolder.SPLIT, "train"),
        s.teacherWeightMode, s.omega, s.referenceM, content.count()));
    return student.batches(
        FeatureTable.collect(run.read(RunFolder.BACKBONE, "user_factors"), "id", "features", "backbone/user_factors"),
        FeatureTable.collect(run.read(RunFolder.BACKBONE, "item_factors"), "id", "features", "backbone/item_factors"),
        ContentTable.collect(content, "item", "features", "input/item_content"),
        teacherWeights, settings);
  }

  /** One trained epoch: its loss terms, inference towers and parameters, and its validation once started. */
  private static final class Epoch {
    final int epoch;
    final double trainSeconds;
    final double busySeconds;
    final long triples;
    final Map<String, Double> terms;
    final StudentTowers towers;
    final INDArray params;
    private Future<double[]> validation;
    double ndcg;
    double validationSeconds;
    double waitedSeconds;

    /** @param busySeconds training plus the loss terms and towers, before the validation starts */
    Epoch(int epoch, double trainSeconds, double busySeconds, long triples, Map<String, Double> terms,
        StudentTowers towers, INDArray params) {
      this.epoch = epoch;
      this.trainSeconds = trainSeconds;
      this.busySeconds = busySeconds;
      this.triples = triples;
      this.terms = terms;
      this.towers = towers;
      this.params = params;
    }

    /** Starts the cold-validation NDCG@K of the towers on the validator thread. */
    void validate(ExecutorService validator, ColdStartEvaluator evaluator, JavaSparkContext jsc,
        Dataset<Row> userFactors, Dataset<Row> content, int k) {
      validation = validator.submit(() -> {
        long t = System.nanoTime();
        Broadcast<StudentTowers> towersBroadcast = jsc.broadcast(towers);
        Dataset<Row> studentUsers = StudentVectors.users(userFactors, towersBroadcast).cache();
        Dataset<Row> studentItems = StudentVectors.items(content, towersBroadcast).cache();
        double value = evaluator.evaluate(ColdStartEvaluator.Task.COLD, ColdStartEvaluator.Part.VAL,
            null, null, studentUsers, studentItems, new int[] {k}).means().get("ndcg@" + k);
        studentUsers.unpersist();
        studentItems.unpersist();
        towersBroadcast.destroy();
        return new double[] {value, (System.nanoTime() - t) / 1e9};
      });
    }

    /** Waits for the validation (usually done while the next epoch trained). */
    void awaitValidation() {
      long t = System.nanoTime();
      try {
        double[] result = validation.get();
        ndcg = result[0];
        validationSeconds = result[1];
        waitedSeconds = (System.nanoTime() - t) / 1e9;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while validating epoch " + epoch, e);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
      }
    }

    /** The history row of the epoch (history.json). */
    Map<String, Object> row(String ndcgKey) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("epoch", epoch);
      row.putAll(terms);
      row.put("val_cold_" + ndcgKey, ndcg);
      row.put("train_seconds", trainSeconds);
      row.put("validation_seconds", validationSeconds);
      row.put("epoch_seconds", busySeconds + waitedSeconds);
      row.put("triples_per_second", triples / trainSeconds);
      return row;
    }
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
      student.writeExtra(out, run, net, monitor);
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
