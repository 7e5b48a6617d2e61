package org.aldi.distill;

import java.util.Iterator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.aldi.config.Settings;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits the student network on one epoch of triples (user, pos, neg). Two ways, chosen by
 * aldi.distill.trainer:
 * <ul>
 *   <li>"parameter-averaging": DL4J's Spark data parallelism; every worker fits its partition's minibatches
 *       and the parameters are averaged every averaging-frequency minibatches (for clusters);
 *   <li>"local": one network in the driver JVM fits the minibatches in order, streamed partition by partition
 *       from the triples dataset (Spark's local iterator), so the driver holds one partition at a time.
 *       On one machine this avoids the per-round parameter broadcast and network rebuild of averaging.
 * </ul>
 */
public interface EpochTrainer {
  /** Fits one epoch and returns the network with the new parameters. */
  MultiLayerNetwork fit(Dataset<Row> epochTriples, long triples);

  /** The trainer of aldi.distill.trainer. */
  static EpochTrainer create(Settings settings, JavaSparkContext jsc, MultiLayerNetwork net,
      TrainingBatches batches, Broadcast<TrainingBatches> batchesBroadcast) {
    return create(settings.distill.localTrainer, settings, jsc, net, batches, batchesBroadcast);
  }

  /** The local trainer or parameter averaging, whatever the configuration says (the benchmark times both). */
  static EpochTrainer create(boolean local, Settings settings, JavaSparkContext jsc, MultiLayerNetwork net,
      TrainingBatches batches, Broadcast<TrainingBatches> batchesBroadcast) {
    return local
        ? new Local(net, batches)
        : new ParameterAveraging(jsc, net, batchesBroadcast, settings.distill, settings.run.seed);
  }

  /** DL4J's Spark parameter averaging. */
  final class ParameterAveraging implements EpochTrainer {
    private final SparkDl4jMultiLayer sparkNet;
    private final Broadcast<TrainingBatches> batches;

    ParameterAveraging(JavaSparkContext jsc, MultiLayerNetwork net, Broadcast<TrainingBatches> batches,
        Settings.Distill s, long seed) {
      this.batches = batches;
      ParameterAveragingTrainingMaster.Builder master = s.workers > 0
          ? new ParameterAveragingTrainingMaster.Builder(s.workers, s.batchSize)
          : new ParameterAveragingTrainingMaster.Builder(s.batchSize);
      this.sparkNet = new SparkDl4jMultiLayer(jsc, net, master
          .batchSizePerWorker(s.batchSize)
          .averagingFrequency(s.averagingFrequency)
          .workerPrefetchNumBatches(0)
          .rddTrainingApproach(RDDTrainingApproach.Direct)
          // keep the minibatches as objects and where they are: DL4J's defaults (serialized storage, a
          // balancing shuffle) deserialise every minibatch once per averaging round, which dominated the time
          .storageLevel(StorageLevel.MEMORY_ONLY())
          .repartionData(Repartition.Never)
          .rngSeed(seed)
          .build());
    }

    @Override
    public MultiLayerNetwork fit(Dataset<Row> epochTriples, long triples) {
      Broadcast<TrainingBatches> b = batches;
      JavaRDD<DataSet> data = epochTriples.javaRDD().mapPartitions(rows -> b.value().batches(rows));
      sparkNet.fit(data);
      // DL4J persisted this epoch's minibatches; their ND4J buffers live off the Java heap and are freed only
      // when the JVM collects their small on-heap handles, so release them now rather than let them pile up
      data.unpersist(false);
      System.gc();
      return sparkNet.getNetwork();
    }
  }

  /**
   * One network in the driver, fitted minibatch by minibatch. A second thread reads the triples and builds the next
   * minibatches meanwhile (a few ahead), so that the network's thread only fits.
   */
  final class Local implements EpochTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(Local.class);
    private static final double PROGRESS_SECONDS = 30;
    /** Minibatches built ahead of the fit. */
    private static final int AHEAD = 4;

    private final MultiLayerNetwork net;
    private final TrainingBatches batches;

    Local(MultiLayerNetwork net, TrainingBatches batches) {
      this.net = net;
      this.batches = batches;
    }

    @Override
    public MultiLayerNetwork fit(Dataset<Row> epochTriples, long triples) {
      long start = System.nanoTime();
      double lastReport = 0;
      long done = 0;
      try (Prefetch minibatches = new Prefetch(batches.batches(epochTriples.toLocalIterator()), AHEAD)) {
        for (DataSet batch = minibatches.next(); batch != null; batch = minibatches.next()) {
          step(net, batch);
          done += batch.numExamples();
          // free the minibatch's native memory now rather than when the garbage collector gets to its handles
          batch.getFeatures().close();
          batch.getLabels().close();
          double seconds = (System.nanoTime() - start) / 1e9;
          if (seconds - lastReport >= PROGRESS_SECONDS && done < triples) {
            lastReport = seconds;
            LOG.info(String.format("distill: %,d of %,d triples of this epoch, %.0f triples/s, about %.0f s left",
                done, triples, done / seconds, (triples - done) * seconds / done));
          }
        }
      }
      return net;
    }
  }

  /**
   * One optimisation step on a minibatch, as MultiLayerNetwork.fit takes it (gradient of the batch, the updater
   * (Adam, L2), parameters minus the update, iteration count) but without fit's second forward pass, which only
   * computes the score for DL4J's listeners: a third of the work of a step. A test checks it against fit.
   */
  static void step(MultiLayerNetwork net, DataSet batch) {
    Gradient gradient = net.calculateGradients(batch.getFeatures(), batch.getLabels(), null, null).getFirst();
    net.getUpdater().update(net, gradient, net.getIterationCount(), net.getEpochCount(), batch.numExamples(),
        LayerWorkspaceMgr.noWorkspaces());
    net.params().subi(gradient.gradient());
    net.setIterationCount(net.getIterationCount() + 1);
  }

  /** Items of an iterator taken on a thread of their own, up to `ahead` in advance of the consumer. */
  final class Prefetch implements AutoCloseable {
    private static final Object END = new Object();
    private final BlockingQueue<Object> queue;
    private final Thread producer;

    Prefetch(Iterator<DataSet> source, int ahead) {
      queue = new ArrayBlockingQueue<>(ahead);
      producer = new Thread(() -> {
        try {
          while (source.hasNext()) {
            queue.put(source.next());
          }
          queue.put(END);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt(); // closed by the consumer
        } catch (RuntimeException | Error e) {
          queue.clear();
          queue.offer(e);
        }
      }, "aldi-minibatches");
      producer.setDaemon(true);
      producer.start();
    }

    /** The next minibatch, or null at the end; an error of the producer is rethrown here. */
    DataSet next() {
      Object item;
      try {
        item = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for a minibatch", e);
      }
      if (item == END) {
        queue.offer(END);
        return null;
      }
      if (item instanceof RuntimeException e) {
        throw e;
      }
      if (item instanceof Error e) {
        throw e;
      }
      return (DataSet) item;
    }

    @Override
    public void close() {
      producer.interrupt();
    }
  }
}
