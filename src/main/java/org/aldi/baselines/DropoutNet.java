package org.aldi.baselines;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aldi.config.ConfigError;
import org.aldi.config.Settings;
import org.aldi.content.ContentColumn;
import org.aldi.distill.AldiLayer;
import org.aldi.distill.AldiNetwork;
import org.aldi.distill.ContentTable;
import org.aldi.distill.FeatureTable;
import org.aldi.distill.InputLayout;
import org.aldi.distill.StudentTowers;
import org.aldi.distill.StudentVectors;
import org.aldi.distill.TrainingBatches;
import org.aldi.score.ScoringVectors;
import org.aldi.store.RunFolder;
import org.aldi.store.StageOutput;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * DropoutNet in the distillation loop ({@link DropoutNetLayer}, {@link DropoutBatches}). Its trained item tower reads
 * [e_i, c_i]; the towers of model/towers.json are those of the cold branch, f_I([0, c]) (the first layer's rows
 * for e_i left out), and model/warm_items holds f_I([e_i, c_i]) of the warm items, which the evaluation scores
 * against f_U(e_u) instead of the teacher's e_u . e_i (Eq. 5; {@link ScoringVectors}). Dense content only
 * ({@link #requireDenseContent}).
 */
final class DropoutNet extends BaselineStudent {
  @Override
  public String name() {
    return "dropoutnet";
  }

  /**
   * Stops a run whose item content is sparse (an ml Vector column) before anything is trained: DropoutNet's item
   * tower reads [e_i, c_i] densely, so it takes dense content (an array column) only.
   */
  static void requireDenseContent(Dataset<Row> content) {
    if (ContentColumn.isVector(content.schema(), "features")) {
      throw new ConfigError("aldi.distill.method = \"dropoutnet\" needs dense item content (an array column), but "
          + "input/item_content holds sparse ml Vectors: use the methods aldi, deepmusic or backbone-only with "
          + "sparse content");
    }
  }

  @Override
  public AldiLayer layer(Settings.Distill s, InputLayout layout) {
    if (layout.slots() > 0) {
      throw new IllegalStateException("DropoutNet takes dense content only, got " + layout);
    }
    return new DropoutNetLayer(layout.teacherDim(), layout.contentDim(), s.hidden, s.batchNorm, s.initStd);
  }

  @Override
  public TrainingBatches batches(FeatureTable users, FeatureTable items, ContentTable content, FeatureTable weights,
      Settings settings) {
    return new DropoutBatches(users, items, content, weights, settings.distill.batchSize,
        settings.distill.dropoutNetDropout, settings.run.seed);
  }

  @Override
  public StudentTowers towers(MultiLayerNetwork net, List<DataSet> sample) {
    return coldBranch(trained(net, sample), AldiNetwork.layerOf(net).getTeacherDim());
  }

  @Override
  public void writeExtra(StageOutput out, RunFolder run, MultiLayerNetwork net, List<DataSet> sample) {
    Broadcast<StudentTowers> towers = JavaSparkContext.fromSparkContext(run.spark().sparkContext())
        .broadcast(trained(net, sample));
    Dataset<Row> warm = run.read(RunFolder.BACKBONE, "item_factors")
        .select(col("id").as("item"), col("features").as("e"))
        .join(run.read(RunFolder.INPUT, "item_content"), "item")
        .select(col("item"), concat(col("e"), col("features")).as("features"));
    out.writeParquet(ScoringVectors.WARM_ITEMS, StudentVectors.items(warm, towers));
    towers.destroy();
  }

  /**
   * The towers as trained: f_U over e_u, f_I over [e_i, c_i]; batch-norm statistics over the sample batches' inputs
   * as the layer saw them (with their dropout masks).
   */
  static StudentTowers trained(MultiLayerNetwork net, List<DataSet> sample) {
    AldiLayer layer = AldiNetwork.layerOf(net);
    int d = layer.getTeacherDim();
    int c = layer.getContentDim();
    List<INDArray> users = new ArrayList<>();
    List<INDArray> items = new ArrayList<>();
    int masks = 3 * d + 2 * c;
    for (DataSet b : sample) {
      INDArray x = b.getFeatures();
      users.add(columns(x, 0, d));
      items.add(Nd4j.vstack(
          Nd4j.hstack(columns(x, d, 2 * d).mulColumnVector(columns(x, masks, masks + 1)), columns(x, 3 * d, 3 * d + c)),
          Nd4j.hstack(columns(x, 2 * d, 3 * d).mulColumnVector(columns(x, masks + 1, masks + 2)),
              columns(x, 3 * d + c, 3 * d + 2 * c))));
    }
    return StudentTowers.withStatistics(AldiNetwork.towerParameters(net), layer.isBatchNorm(), users, items, 0);
  }

  /** The cold branch f_I([0, c]) of trained towers: the item tower's first-layer rows for e_i (the first d) dropped. */
  static StudentTowers coldBranch(StudentTowers trained, int teacherDim) {
    Map<String, float[]> arrays = new LinkedHashMap<>(trained.arrays());
    Map<String, long[]> shapes = new LinkedHashMap<>(trained.shapes());
    String w1 = StudentTowers.ITEM + StudentTowers.W1;
    long[] shape = shapes.get(w1);
    int hidden = (int) shape[1];
    arrays.put(w1, Arrays.copyOfRange(arrays.get(w1), teacherDim * hidden, (int) shape[0] * hidden));
    shapes.put(w1, new long[] {shape[0] - teacherDim, hidden});
    return StudentTowers.of(arrays, shapes, trained.batchNorm());
  }

  private static INDArray columns(INDArray x, int from, int to) {
    return x.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)).dup();
  }
}
