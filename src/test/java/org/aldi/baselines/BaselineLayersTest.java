package org.aldi.baselines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.aldi.config.ConfigError;
import org.aldi.distill.AldiLayer;
import org.aldi.distill.AldiNetwork;
import org.aldi.distill.ContentTable;
import org.aldi.distill.FeatureTable;
import org.aldi.distill.StudentTowers;
import org.aldi.testing.GradientCheck;
import org.aldi.testing.TestSpark;
import org.aldi.testing.Vectors;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The baselines' objectives in DL4J: gradients against finite differences, and the objective's value against a
 * plain-Java computation of the towers and of the formula (DeepMusic: squared distance of g(c) to the teacher
 * embedding; DropoutNet: squared distance of the towers' score to the teacher's, behaviour embeddings masked).
 */
class BaselineLayersTest {
  static final int D = 4;
  static final int C = 5;
  static final int H = 3;
  static final int B = 6;
  /** Keep masks of the DropoutNet batch: both kinds for positives and negatives. */
  static final double[][] KEEP = {{1, 0}, {0, 1}, {1, 1}, {0, 0}, {1, 0}, {0, 1}};

  static MultiLayerNetwork network(AldiLayer layer) {
    MultiLayerNetwork net = new MultiLayerNetwork(AldiNetwork.configuration(layer, 1e-3, 0.0, 12345, DataType.DOUBLE));
    net.init();
    return net;
  }

  static DataSet batch(long seed, boolean masks) {
    Nd4j.getRandom().setSeed(seed);
    INDArray x = Nd4j.randn(DataType.DOUBLE, B, 3 * D + 2 * C);
    INDArray w = Nd4j.rand(DataType.DOUBLE, B, 1).addi(0.2);
    return new DataSet(masks ? Nd4j.hstack(x, Nd4j.create(KEEP)) : x, w);
  }

  @ParameterizedTest(name = "batchNorm={0}")
  @ValueSource(booleans = {true, false})
  void deepMusicGradientMatchesFiniteDifferences(boolean batchNorm) {
    long checked = GradientCheck.assertMatchesFiniteDifferences(
        network(new DeepMusicLayer(D, C, false, H, batchNorm, 0.5)), batch(7, false));
    assertEquals(C * H + H + H * D + D + (batchNorm ? 2 * H : 0), checked, "the item tower's parameters only");
  }

  @ParameterizedTest(name = "batchNorm={0}")
  @ValueSource(booleans = {true, false})
  void dropoutNetGradientMatchesFiniteDifferences(boolean batchNorm) {
    long checked = GradientCheck.assertMatchesFiniteDifferences(
        network(new DropoutNetLayer(D, C, H, batchNorm, 0.5)), batch(8, true));
    assertEquals(D * H + H + H * D + D + (D + C) * H + H + H * D + D + (batchNorm ? 4 * H : 0), checked,
        "user tower over e_u, item tower over [e_i, c_i]");
  }

  @Test
  void deepMusicObjectiveIsTheSquaredDistanceToTheTeacherEmbedding() {
    MultiLayerNetwork net = network(new DeepMusicLayer(D, C, false, H, false, 0.5));
    DataSet data = batch(11, false);
    Map<String, INDArray> p = net.getLayer(0).paramTable();
    INDArray x = data.getFeatures();
    INDArray out = net.output(x);
    double sum = 0;
    for (int r = 0; r < B; r++) {
      double[] gi = tower(p, "item", row(x, r, 3 * D, C));
      double[] gj = tower(p, "item", row(x, r, 3 * D + C, C));
      double objective = squaredDistance(gi, row(x, r, D, D)) + squaredDistance(gj, row(x, r, 2 * D, D));
      assertEquals(objective, out.getDouble(r, BaselineLayer.OBJECTIVE), 1e-9, "row " + r);
      // DeepMusic's student score is e_u . g(c_i) (Eq. 4)
      assertEquals(Vectors.dot(row(x, r, 0, D), gi), out.getDouble(r, 0), 1e-9, "s_ui of row " + r);
      sum += objective;
    }
    assertEquals(sum / B, net.score(data), 1e-9);
    assertEquals(sum / B, BaselineLayer.terms(out, data.getLabels(), AldiNetwork.layerOf(net)).get("total"), 1e-9);
  }

  @Test
  void dropoutNetObjectiveIsTheSquaredScoreErrorWithMaskedBehaviourEmbeddings() {
    MultiLayerNetwork net = network(new DropoutNetLayer(D, C, H, false, 0.5));
    DataSet data = batch(12, true);
    Map<String, INDArray> p = net.getLayer(0).paramTable();
    INDArray x = data.getFeatures();
    INDArray out = net.output(x);
    double sum = 0;
    for (int r = 0; r < B; r++) {
      double[] eu = row(x, r, 0, D);
      double[] fu = tower(p, "user", eu);
      double[] gi = tower(p, "item", concat(scale(row(x, r, D, D), KEEP[r][0]), row(x, r, 3 * D, C)));
      double[] gj = tower(p, "item", concat(scale(row(x, r, 2 * D, D), KEEP[r][1]), row(x, r, 3 * D + C, C)));
      double ti = Vectors.dot(eu, row(x, r, D, D));
      double tj = Vectors.dot(eu, row(x, r, 2 * D, D));
      double objective = Math.pow(Vectors.dot(fu, gi) - ti, 2) + Math.pow(Vectors.dot(fu, gj) - tj, 2);
      assertEquals(objective, out.getDouble(r, BaselineLayer.OBJECTIVE), 1e-9, "row " + r);
      assertEquals(ti, out.getDouble(r, 2), 1e-9, "teacher score t_ui of row " + r);
      sum += objective;
    }
    assertEquals(sum / B, net.score(data), 1e-9);
  }

  @ParameterizedTest(name = "batchNorm={0}")
  @ValueSource(booleans = {true, false})
  void dropoutNetColdBranchIsTheItemTowerWithTheBehaviourEmbeddingZero(boolean batchNorm) {
    AldiLayer layer = new DropoutNetLayer(D, C, H, batchNorm, 0.5);
    MultiLayerNetwork net = network(layer);
    List<DataSet> sample = List.of(batch(13, true), batch(14, true));
    StudentTowers trained = DropoutNet.trained(net, sample);
    StudentTowers cold = new DropoutNet().towers(net, sample);
    INDArray content = Nd4j.randn(DataType.FLOAT, 7, C);
    INDArray viaTrained = trained.mapItems(Nd4j.hstack(Nd4j.zeros(DataType.FLOAT, 7, D), content));
    INDArray viaCold = cold.mapItems(content);
    assertEquals(C, cold.contentDim());
    assertTrue(viaTrained.equalsWithEps(viaCold, 1e-5), viaTrained + " vs " + viaCold);
    INDArray users = Nd4j.randn(DataType.FLOAT, 3, D);
    assertTrue(trained.mapUsers(users).equalsWithEps(cold.mapUsers(users), 1e-6), "the same user tower");
  }

  @Test
  void deepMusicTowersHaveNoUserTower() {
    AldiLayer layer = new DeepMusicLayer(D, C, false, H, true, 0.5);
    MultiLayerNetwork net = network(layer);
    StudentTowers towers = new DeepMusic().towers(net, List.of(batch(15, false)));
    INDArray users = Nd4j.randn(DataType.FLOAT, 3, D);
    assertEquals(users, towers.mapUsers(users), "f_U is the identity: cold items score e_u . g(c_i)");
    assertEquals(D, towers.teacherDim());
  }

  @Test
  void dropoutMasksAreSeededPerTripleAndItemAndDropAtTheConfiguredRate() {
    Map<Integer, Float> ones = new java.util.HashMap<>();
    for (int id = 0; id < 50; id++) {
      ones.put(id, 1f);
    }
    FeatureTable t = FeatureTable.ofScalars(ones);
    ContentTable content = ContentTable.of(IntStream.range(0, 50).toArray(),
        Collections.nCopies(50, List.of(1f)), "content");
    DropoutBatches batches = new DropoutBatches(t, t, content, t, 1000, 0.3, 42);
    List<int[]> triples = new java.util.ArrayList<>();
    java.util.Random random = new java.util.Random(1);
    for (int r = 0; r < 4000; r++) {
      triples.add(new int[] {random.nextInt(50), random.nextInt(50), random.nextInt(50)});
    }
    INDArray x = batches.build(triples).getFeatures();
    assertEquals(3 + 2 + 2, x.columns(), "ALDI's row (d = c = 1) and two masks");
    double dropped = x.getColumn(5).rsub(1).sumNumber().doubleValue()
        + x.getColumn(6).rsub(1).sumNumber().doubleValue();
    assertEquals(0.3, dropped / 8000, 0.02, "share of dropped behaviour embeddings");
    assertEquals(x, batches.build(triples).getFeatures(), "same triples, same masks");
    assertTrue(!x.getColumn(5).equals(new DropoutBatches(t, t, content, t, 1000, 0.3, 43).build(triples).getFeatures()
        .getColumn(5)), "another seed, other masks");
  }

  /** DropoutNet reads [e_i, c_i] densely: sparse content (ml Vectors) stops the model stage before it trains. */
  @Test
  void dropoutNetRefusesSparseContent() {
    StructType schema = new StructType().add("item", DataTypes.IntegerType).add("features", new VectorUDT());
    Dataset<Row> sparse = TestSpark.get().createDataFrame(
        List.of(RowFactory.create(0, org.apache.spark.ml.linalg.Vectors.sparse(9, new int[] {2}, new double[] {1}))),
        schema);
    ConfigError e = assertThrows(ConfigError.class, () -> DropoutNet.requireDenseContent(sparse));
    assertTrue(e.getMessage().contains("dropoutnet") && e.getMessage().contains("input/item_content"),
        e.getMessage());
    Dataset<Row> dense = TestSpark.get().createDataFrame(List.of(RowFactory.create(0, List.of(1f, 0f))),
        new StructType().add("item", DataTypes.IntegerType)
            .add("features", DataTypes.createArrayType(DataTypes.FloatType)));
    DropoutNet.requireDenseContent(dense);
  }

  /** Linear -> tanh -> Linear of a tower without batch norm, in plain Java. */
  static double[] tower(Map<String, INDArray> p, String tower, double[] in) {
    INDArray w1 = p.get(tower + "W1");
    INDArray b1 = p.get(tower + "b1");
    INDArray w2 = p.get(tower + "W2");
    INDArray b2 = p.get(tower + "b2");
    double[] h = new double[(int) w1.columns()];
    for (int j = 0; j < h.length; j++) {
      double s = b1.getDouble(0, j);
      for (int i = 0; i < in.length; i++) {
        s += in[i] * w1.getDouble(i, j);
      }
      h[j] = Math.tanh(s);
    }
    double[] out = new double[(int) w2.columns()];
    for (int j = 0; j < out.length; j++) {
      double s = b2.getDouble(0, j);
      for (int i = 0; i < h.length; i++) {
        s += h[i] * w2.getDouble(i, j);
      }
      out[j] = s;
    }
    return out;
  }

  static double[] row(INDArray x, int r, int from, int width) {
    double[] v = new double[width];
    for (int k = 0; k < width; k++) {
      v[k] = x.getDouble(r, from + k);
    }
    return v;
  }

  static double[] concat(double[] a, double[] b) {
    double[] v = new double[a.length + b.length];
    System.arraycopy(a, 0, v, 0, a.length);
    System.arraycopy(b, 0, v, a.length, b.length);
    return v;
  }

  static double[] scale(double[] a, double s) {
    double[] v = a.clone();
    for (int k = 0; k < v.length; k++) {
      v[k] *= s;
    }
    return v;
  }

  static double squaredDistance(double[] a, double[] b) {
    double s = 0;
    for (int k = 0; k < a.length; k++) {
      s += (a[k] - b[k]) * (a[k] - b[k]);
    }
    return s;
  }
}
