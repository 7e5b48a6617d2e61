package org.aldi.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.aldi.config.ConfigLoader;
import org.aldi.baselines.DeepMusicLayer;
import org.aldi.config.Settings;
import org.aldi.store.RunFolder;
import org.aldi.testing.GradientCheck;
import org.aldi.testing.TestSpark;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Sparse content (the item tower's first layer as sparse times dense, {@link SparseContentLayer}) against finite
 * differences and against the dense path on the same content: the same initial towers, scores, gradients, training
 * steps and inference vectors; and the whole distillation stage on sparse content stored as ml Vectors against the
 * same content stored as arrays.
 */
class SparseContentTest {
  static final int D = 4;
  static final int C = 9;
  static final int H = 3;
  static final int SLOTS = 3;
  static final int B = 6;
  static final long SEED = 5;

  static MultiLayerNetwork network(boolean sparse, boolean batchNorm) {
    return network(sparse, new AldiLayer(D, C, sparse, H, batchNorm, 0.3, 0.9, 0.5, false, 0.5));
  }

  /** A network of the layer (ALDI's or a baseline's), behind the sparse first layer when sparse. */
  static MultiLayerNetwork network(boolean sparse, AldiLayer layer) {
    layer.setInitSeed(SEED);
    MultiLayerNetwork net = new MultiLayerNetwork(AldiNetwork.configuration(
        sparse ? new SparseContentLayer(D, C, SLOTS, H, 0.5, SEED) : null, layer, 1e-2, 0.0, 12345, DataType.DOUBLE));
    net.init();
    return net;
  }

  /**
   * The same random triples twice: content dense (C values per item) and as slots (indices then values, padded),
   * 1 to SLOTS attributes per item with values in [0.5, 1.5); one item with a single attribute, so padding occurs.
   */
  static DataSet[] batches(long seed) {
    Random random = new Random(seed);
    InputLayout dense = new InputLayout(D, C, 0);
    InputLayout slots = new InputLayout(D, C, SLOTS);
    double[][] x = new double[B][dense.width()];
    double[][] s = new double[B][slots.width()];
    for (int r = 0; r < B; r++) {
      for (int k = 0; k < 3 * D; k++) {
        x[r][k] = s[r][k] = random.nextGaussian();
      }
      for (int item = 0; item < 2; item++) {
        int set = r == 0 && item == 0 ? 1 : 1 + random.nextInt(SLOTS);
        int[] attributes = random.ints(0, C).distinct().limit(set).toArray();
        for (int a = 0; a < set; a++) {
          double value = 0.5 + random.nextDouble();
          x[r][dense.contentOffset(item) + attributes[a]] = value;
          s[r][slots.contentOffset(item) + a] = attributes[a];
          s[r][slots.contentOffset(item) + SLOTS + a] = value;
        }
      }
    }
    INDArray w = Nd4j.rand(DataType.DOUBLE, B, 1).addi(0.2);
    return new DataSet[] {new DataSet(Nd4j.create(x), w), new DataSet(Nd4j.create(s), w.dup())};
  }

  /** Every parameter of the sparse network (both layers) against central finite differences, in double precision. */
  @ParameterizedTest(name = "batchNorm={0}")
  @ValueSource(booleans = {true, false})
  void sparseGradientMatchesFiniteDifferences(boolean batchNorm) {
    MultiLayerNetwork net = network(true, batchNorm);
    long checked = GradientCheck.assertMatchesFiniteDifferences(net, batches(7)[1]);
    // W1 and b1 of the sparse layer, f_U (W1, b1, W2, b2), f_I's W2 and b2, and the batch-norm scales and shifts
    long expected = (C * H + H) + (D * H + H + H * D + D) + (H * D + D) + (batchNorm ? 4 * H : 0);
    assertEquals(expected, checked, "every parameter was checked");
    INDArray gradient = net.gradient().gradient();
    long nonZero = gradient.neq(0).castTo(DataType.INT).sumNumber().longValue();
    assertTrue(nonZero > checked / 2, nonZero + " of " + checked + " have a non-zero gradient");
  }

  /**
   * The same seed gives the same initial towers; on the same triples the dense and the sparse network give the same
   * score and the same gradient of every tower parameter, and stay equal over Adam steps.
   */
  @ParameterizedTest(name = "batchNorm={0}")
  @ValueSource(booleans = {true, false})
  void sparseTrainsAsTheDensePathOnTheSameContent(boolean batchNorm) {
    MultiLayerNetwork dense = network(false, batchNorm);
    MultiLayerNetwork sparse = network(true, batchNorm);
    assertSameArrays(AldiNetwork.towerParameters(dense), AldiNetwork.towerParameters(sparse), 0, "initial towers");
    DataSet[] data = batches(11);
    assertSameScoreAndGradients(dense, sparse, data);
    assertArrayEquals(dense.output(data[0].getFeatures()).dup('c').data().asDouble(),
        sparse.output(data[1].getFeatures()).dup('c').data().asDouble(), 1e-10, "per-triple scores and distances");
    for (int step = 0; step < 5; step++) {
      DataSet[] next = batches(20 + step);
      dense.fit(next[0]);
      sparse.fit(next[1]);
    }
    assertSameArrays(AldiNetwork.towerParameters(dense), AldiNetwork.towerParameters(sparse), 1e-9, "after 5 steps");
  }

  /**
   * DeepMusic (org.aldi.baselines) on sparse content: its only tower, the item tower, starts with the sparse layer as
   * ALDI's does; gradients against finite differences, and the dense path's score and gradients on the same content.
   */
  @ParameterizedTest(name = "batchNorm={0}")
  @ValueSource(booleans = {true, false})
  void deepMusicOnSparseContentMatchesFiniteDifferencesAndTheDensePath(boolean batchNorm) {
    MultiLayerNetwork dense = network(false, new DeepMusicLayer(D, C, false, H, batchNorm, 0.5));
    MultiLayerNetwork sparse = network(true, new DeepMusicLayer(D, C, true, H, batchNorm, 0.5));
    DataSet[] data = batches(41);
    long checked = GradientCheck.assertMatchesFiniteDifferences(sparse, data[1]);
    assertEquals((C * H + H) + (H * D + D) + (batchNorm ? 2 * H : 0), checked, "the item tower's parameters only");
    assertSameScoreAndGradients(dense, sparse, data);
    StudentTowers towers = StudentTowers.fromNetwork(sparse, List.of(data[1].getFeatures()));
    INDArray users = Nd4j.randn(DataType.FLOAT, 3, D);
    assertEquals(users, towers.mapUsers(users), "no user tower: cold items score e_u . g(c_i)");
  }

  /** Inference towers of the two networks are the same, and map dense content and its slots to the same vectors. */
  @Test
  void inferenceOfSlotsEqualsInferenceOfDenseContent() {
    MultiLayerNetwork dense = network(false, true);
    MultiLayerNetwork sparse = network(true, true);
    List<DataSet[]> sample = List.of(batches(31), batches(32));
    StudentTowers fromDense = StudentTowers.fromNetwork(dense, List.of(sample.get(0)[0].getFeatures(),
        sample.get(1)[0].getFeatures()));
    StudentTowers fromSparse = StudentTowers.fromNetwork(sparse, List.of(sample.get(0)[1].getFeatures(),
        sample.get(1)[1].getFeatures()));
    assertEquals(fromDense.arrays().keySet(), fromSparse.arrays().keySet());
    for (String name : fromDense.arrays().keySet()) {
      assertArrayEquals(fromDense.arrays().get(name), fromSparse.arrays().get(name), 1e-6f, name);
    }
    InputLayout denseLayout = new InputLayout(D, C, 0);
    InputLayout slotLayout = new InputLayout(D, C, SLOTS);
    DataSet[] data = batches(33);
    INDArray denseContent = data[0].getFeatures().getColumns(range(denseLayout.contentOffset(0), C));
    INDArray slotContent = data[1].getFeatures().getColumns(range(slotLayout.contentOffset(0), 2 * SLOTS));
    assertArrayEquals(fromSparse.mapItems(denseContent).dup('c').data().asFloat(),
        fromSparse.mapItems(slotContent, SLOTS).dup('c').data().asFloat(), 1e-6f);
  }

  /**
   * The distillation stage on binary content that carries the items' taste, stored once as arrays (the dense path)
   * and once as ml SparseVectors (the sparse path): the same training history and the same student vectors.
   */
  @Test
  void stageOnSparseContentEqualsStageOnDenseContent(@TempDir Path dir) {
    Map<String, JsonNode> histories = new HashMap<>();
    Map<String, Map<Integer, float[]>> items = new HashMap<>();
    for (boolean sparse : new boolean[] {false, true}) {
      Path runDir = dir.resolve(sparse ? "sparse" : "dense");
      Settings settings = ConfigLoader.load(List.of(), List.of("run.dir=\"" + runDir + "\"", "distill.hidden=16",
          "distill.batch-size=64", "distill.max-epochs=3", "distill.patience=3", "distill.learning-rate=0.01",
          "distill.batch-norm-stat-batches=4", "evaluate.k=[5]", "evaluate.validation-k=5", "spark.partitions=2",
          "distill.trainer=local"));
      RunFolder run = new RunFolder(TestSpark.get(), runDir.toString());
      DistillWorld.write(run, settings, binaryContent(sparse));
      new DistillStage().run(run, settings);
      histories.put(sparse ? "sparse" : "dense", run.readJson(RunFolder.MODEL, "history.json"));
      Map<Integer, float[]> vectors = new LinkedHashMap<>();
      for (Row r : run.read(RunFolder.MODEL, "student_items").collectAsList()) {
        vectors.put(r.getInt(0), org.aldi.testing.Vectors.floats(r.getList(1)));
      }
      items.put(sparse ? "sparse" : "dense", vectors);
    }
    JsonNode dense = histories.get("dense").get("epochs");
    JsonNode sparse = histories.get("sparse").get("epochs");
    assertEquals(dense.size(), sparse.size());
    for (int e = 0; e < dense.size(); e++) {
      for (String key : List.of("total", "basic", "rate", "rank", "iden", "val_cold_ndcg@5")) {
        assertEquals(dense.get(e).get(key).asDouble(), sparse.get(e).get(key).asDouble(), 1e-4,
            "epoch " + e + " " + key);
      }
    }
    assertTrue(histories.get("sparse").get("best_val_cold_ndcg@5").asDouble() > 0.3,
        "the binary content carries taste: " + histories.get("sparse"));
    assertEquals(items.get("dense").keySet(), items.get("sparse").keySet());
    for (int item : items.get("dense").keySet()) {
      assertArrayEquals(items.get("dense").get(item), items.get("sparse").get(item), 1e-3f, "item " + item);
    }
  }

  /**
   * 24 binary attributes, each with a random direction in taste space; an item sets the 4 whose direction is nearest
   * its taste (plus noise): a dense array of 0/1 or the same as an ml SparseVector.
   */
  private static DistillWorld.Content binaryContent(boolean sparse) {
    int attributes = 24;
    float[][] directions = org.aldi.testing.Vectors.gaussian(new Random(17), attributes, DistillWorld.LATENT);
    return new DistillWorld.Content() {
      @Override
      public org.apache.spark.sql.types.DataType type() {
        return sparse ? new VectorUDT() : DataTypes.createArrayType(DataTypes.FloatType);
      }

      @Override
      public Object of(float[] taste, Random random) {
        double[] key = new double[attributes];
        for (int a = 0; a < attributes; a++) {
          key[a] = org.aldi.testing.Vectors.dot(directions[a], taste) + 0.3 * random.nextGaussian();
        }
        int[] set = java.util.stream.IntStream.range(0, attributes).boxed()
            .sorted((a, b) -> Double.compare(key[b], key[a])).limit(4).mapToInt(Integer::intValue).sorted().toArray();
        if (sparse) {
          double[] ones = new double[set.length];
          Arrays.fill(ones, 1.0);
          return Vectors.sparse(attributes, set, ones);
        }
        Float[] dense = new Float[attributes];
        Arrays.fill(dense, 0f);
        for (int a : set) {
          dense[a] = 1f;
        }
        return dense;
      }
    };
  }

  /** The dense network on the dense batch and the sparse one on its slots: the same score and tower gradients. */
  private static void assertSameScoreAndGradients(MultiLayerNetwork dense, MultiLayerNetwork sparse, DataSet[] data) {
    for (MultiLayerNetwork net : List.of(dense, sparse)) {
      DataSet d = net == dense ? data[0] : data[1];
      net.setInput(d.getFeatures());
      net.setLabels(d.getLabels());
      net.computeGradientAndScore();
    }
    assertEquals(dense.score(), sparse.score(), 1e-12 * Math.abs(dense.score()));
    assertSameArrays(towerGradients(dense), towerGradients(sparse), 1e-10, "gradients");
  }

  private static Map<String, INDArray> towerGradients(MultiLayerNetwork net) {
    Gradient gradient = net.gradient();
    Map<String, INDArray> byName = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> e : gradient.gradientForVariable().entrySet()) {
      String name = e.getKey().substring(e.getKey().indexOf('_') + 1);
      byName.put(name.equals("W") ? StudentTowers.ITEM + StudentTowers.W1
          : name.equals("b") ? StudentTowers.ITEM + StudentTowers.B1 : name, e.getValue());
    }
    return byName;
  }

  private static void assertSameArrays(Map<String, INDArray> expected, Map<String, INDArray> actual, double tolerance,
      String what) {
    assertEquals(new ArrayList<>(new java.util.TreeSet<>(expected.keySet())),
        new ArrayList<>(new java.util.TreeSet<>(actual.keySet())), what + ": parameter names");
    for (String name : expected.keySet()) {
      INDArray a = expected.get(name);
      INDArray b = actual.get(name);
      assertEquals(a.length(), b.length(), what + " " + name);
      assertArrayEquals(a.dup('c').data().asDouble(), b.castTo(a.dataType()).dup('c').data().asDouble(),
          tolerance * Math.max(1, a.amaxNumber().doubleValue()), what + " " + name);
    }
  }

  private static int[] range(int from, int length) {
    return java.util.stream.IntStream.range(from, from + length).toArray();
  }
}
