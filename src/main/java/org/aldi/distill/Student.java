package org.aldi.distill;

import java.util.List;
import java.util.Map;
import org.aldi.config.Settings;
import org.aldi.store.RunFolder;
import org.aldi.store.StageOutput;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * What {@link DistillStage}'s training loop trains: a DL4J output layer over the minibatches of triples, and how
 * the trained network becomes inference towers. {@link #ALDI} is the paper's student; the baselines of
 * org.aldi.baselines (DeepMusic, DropoutNet) plug in here and so share the loop, the triples, the early stopping
 * on cold validation and the outputs.
 */
public interface Student {
  /** The ALDI student (Eq. 8-23). */
  Student ALDI = new Student() {
    @Override
    public String name() {
      return "aldi";
    }

    @Override
    public AldiLayer layer(Settings.Distill s, InputLayout layout) {
      return AldiNetwork.layer(s, layout);
    }

    @Override
    public StudentTowers towers(MultiLayerNetwork net, List<DataSet> sample) {
      return StudentTowers.fromNetwork(net, sample.stream().map(DataSet::getFeatures).toList());
    }
  };

  /** Name for the log and history.json (the value of aldi.distill.method). */
  String name();

  /**
   * The output layer that holds the towers and the training objective, for input rows of the layout (with sparse
   * content, behind the item tower's sparse first layer: {@link AldiNetwork#create}).
   */
  AldiLayer layer(Settings.Distill s, InputLayout layout);

  /** Minibatches of triples: rows [e_u | e_i | e_j | c_i | c_j], labels as the layer expects them. */
  default TrainingBatches batches(FeatureTable users, FeatureTable items, ContentTable content, FeatureTable weights,
      Settings settings) {
    return new TrainingBatches(users, items, content, weights, settings.distill.batchSize);
  }

  /**
   * The loss terms of one batch for the training log, keyed by name, from the layer's output
   * [s_ui, s_uj, t_ui, t_uj, d_i^S, d_i^T]: ALDI's terms (basic, rate, rank, iden) for every student, and "total",
   * the objective this student minimises (without L2).
   */
  default Map<String, Double> terms(INDArray output, INDArray labels, AldiLayer layer) {
    return AldiLoss.terms(output, labels, layer);
  }

  /**
   * The inference towers of a trained network (those that score cold items: f_U and f_I over content), batch-norm
   * statistics from sample training batches.
   */
  StudentTowers towers(MultiLayerNetwork net, List<DataSet> sample);

  /** Writes datasets of model/ beyond the common ones, from the network with the kept (best) parameters. */
  default void writeExtra(StageOutput out, RunFolder run, MultiLayerNetwork net, List<DataSet> sample) {}
}
