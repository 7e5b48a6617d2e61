package org.aldi.distill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The trained mapping towers f_U and f_I (Eq. 8) for inference, with batch normalisation in inference mode:
 * population mean and variance estimated after training from training batches (Ioffe and Szegedy 2015,
 * Algorithm 2). Plain float arrays, so the object is small, serialisable and broadcastable.
 */
public final class StudentTowers implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Parameter-name prefixes of the two towers (no underscore: DL4J splits gradient keys at the last one). */
  public static final String USER = "user";
  public static final String ITEM = "item";
  public static final String W1 = "W1";
  public static final String B1 = "b1";
  public static final String BN_GAMMA = "bnGamma";
  public static final String BN_BETA = "bnBeta";
  public static final String W2 = "W2";
  public static final String B2 = "b2";
  /** Names of the population statistics, stored next to the parameters. */
  public static final String BN_MEAN = "bnMean";
  public static final String BN_VAR = "bnVar";

  private final Map<String, float[]> arrays;
  private final Map<String, long[]> shapes;
  private final boolean batchNorm;
  private transient Map<String, INDArray> cache;

  StudentTowers(Map<String, float[]> arrays, Map<String, long[]> shapes, boolean batchNorm) {
    this.arrays = arrays;
    this.shapes = shapes;
    this.batchNorm = batchNorm;
  }

  /**
   * Builds the inference towers from a trained student network ({@link AldiNetwork}), estimating the batch-norm
   * population statistics from sample training batches (input rows as the network sees them).
   */
  public static StudentTowers fromNetwork(MultiLayerNetwork net, List<INDArray> sampleBatches) {
    InputLayout layout = AldiNetwork.layout(net);
    int d = layout.teacherDim();
    int c = layout.contentWidth();
    List<INDArray> userInputs = new ArrayList<>();
    List<INDArray> itemInputs = new ArrayList<>();
    for (INDArray batch : sampleBatches) {
      INDArray x = batch.castTo(DataType.FLOAT);
      userInputs.add(x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, d)).dup());
      itemInputs.add(Nd4j.vstack(
          x.get(NDArrayIndex.all(), NDArrayIndex.interval(layout.contentOffset(0), layout.contentOffset(0) + c)).dup(),
          x.get(NDArrayIndex.all(), NDArrayIndex.interval(layout.contentOffset(1), layout.contentOffset(1) + c)).dup()));
    }
    return withStatistics(AldiNetwork.towerParameters(net), AldiNetwork.layerOf(net).isBatchNorm(), userInputs,
        itemInputs, layout.slots());
  }

  /**
   * Inference towers from trained parameters (names as in {@link #toJson}) and, with batch normalisation, the
   * population statistics of the first layer's outputs over sample inputs of each tower (one array per training
   * batch, as the tower saw them in training; item inputs dense, or in slots when itemSlots &gt; 0). Without
   * parameters of the user tower f_U is the identity (a generative baseline scores e_u . g(c_i), Eq. 4).
   */
  public static StudentTowers withStatistics(Map<String, INDArray> params, boolean batchNorm,
      List<INDArray> userInputs, List<INDArray> itemInputs, int itemSlots) {
    Map<String, float[]> arrays = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> e : params.entrySet()) {
      arrays.put(e.getKey(), e.getValue().castTo(DataType.FLOAT).dup('c').data().asFloat());
      shapes.put(e.getKey(), e.getValue().shape());
    }
    if (batchNorm) {
      StudentTowers towers = new StudentTowers(arrays, shapes, false);
      if (arrays.containsKey(USER + W1)) {
        towers.putStatistics(USER, userInputs, 0);
      }
      towers.putStatistics(ITEM, itemInputs, itemSlots);
    }
    return new StudentTowers(arrays, shapes, batchNorm);
  }

  /** Mean over the batches of the first layer's batch mean and unbiased batch variance (Algorithm 2). */
  private void putStatistics(String tower, List<INDArray> inputs, int slots) {
    INDArray sum = null;
    INDArray varSum = null;
    for (INDArray x : inputs) {
      INDArray h = firstLayer(tower, x, slots);
      sum = add(sum, h.mean(0));
      // unbiased batch variance m/(m-1) * biased, as in Algorithm 2
      varSum = add(varSum, h.var(true, 0));
    }
    put(arrays, shapes, tower + BN_MEAN, sum.div(inputs.size()));
    put(arrays, shapes, tower + BN_VAR, varSum.div(inputs.size()));
  }

  private static INDArray add(INDArray sum, INDArray value) {
    return sum == null ? value.dup() : sum.addi(value);
  }

  private static void put(Map<String, float[]> arrays, Map<String, long[]> shapes, String name, INDArray value) {
    INDArray row = value.reshape(1, value.length()).dup('c');
    arrays.put(name, row.data().asFloat());
    shapes.put(name, row.shape());
  }

  /**
   * Towers from stored arrays: name → row-major values and name → shape, names as in {@link #toJson} (e.g.
   * "itemW1", "userbnMean").
   */
  public static StudentTowers of(Map<String, float[]> arrays, Map<String, long[]> shapes, boolean batchNorm) {
    if (!arrays.keySet().equals(shapes.keySet())) {
      throw new IllegalArgumentException("arrays " + arrays.keySet() + " but shapes " + shapes.keySet());
    }
    return new StudentTowers(new LinkedHashMap<>(arrays), new LinkedHashMap<>(shapes), batchNorm);
  }

  /** The stored arrays by name, row-major (do not modify). */
  public Map<String, float[]> arrays() {
    return java.util.Collections.unmodifiableMap(arrays);
  }

  /** The shapes of {@link #arrays()} by name (do not modify). */
  public Map<String, long[]> shapes() {
    return java.util.Collections.unmodifiableMap(shapes);
  }

  public boolean batchNorm() {
    return batchNorm;
  }

  public int contentDim() {
    return (int) shapes.get(ITEM + W1)[0];
  }

  /** The teacher (and output) dimension d. */
  public int teacherDim() {
    return (int) shapes.get(ITEM + W2)[1];
  }

  /** f_U for a batch of teacher user embeddings, rows of an (n x d) array (a copy of them without f_U). */
  public INDArray mapUsers(INDArray teacherUsers) {
    return arrays.containsKey(USER + W1) ? apply(USER, teacherUsers, 0) : teacherUsers.castTo(DataType.FLOAT).dup();
  }

  /** f_I for a batch of dense item content vectors, rows of an (n x c) array. */
  public INDArray mapItems(INDArray content) {
    return mapItems(content, 0);
  }

  /**
   * f_I for a batch of item content rows in the layout of {@link ContentTable}: dense (n x c) when slots is 0,
   * else (n x 2 slots) rows of attribute indices followed by their values (padding: value 0).
   */
  public INDArray mapItems(INDArray content, int slots) {
    return apply(ITEM, content, slots);
  }

  private INDArray apply(String tower, INDArray x, int slots) {
    INDArray h = firstLayer(tower, x, slots);
    if (batchNorm) {
      INDArray std = Transforms.sqrt(array(tower + BN_VAR).add(AldiLayer.BN_EPSILON), false);
      h.subiRowVector(array(tower + BN_MEAN)).diviRowVector(std)
          .muliRowVector(array(tower + BN_GAMMA)).addiRowVector(array(tower + BN_BETA));
    }
    return Transforms.tanh(h, false).mmul(array(tower + W2)).addiRowVector(array(tower + B2));
  }

  /**
   * The first layer x . W1 + b1 of a tower ({@link AldiLayer#firstLayer}): a matrix product for dense rows; for
   * rows of slots, sum_k value_k * W1[index_k] + b1, nnz x hidden multiply-adds per row, never densified.
   */
  private INDArray firstLayer(String tower, INDArray x, int slots) {
    INDArray b1 = array(tower + B1);
    if (slots == 0) {
      return x.castTo(DataType.FLOAT).mmul(array(tower + W1)).addiRowVector(b1);
    }
    int dim = (int) shapes.get(tower + W1)[0];
    int hidden = (int) shapes.get(tower + W1)[1];
    int n = (int) x.rows();
    float[] h = new float[n * hidden];
    SlotProduct.forward(x.castTo(DataType.FLOAT).dup('c').data().asFloat(), 2 * slots, 0, n, slots,
        arrays.get(tower + W1), dim, hidden, h, hidden, 0);
    return Nd4j.create(h, new long[] {n, hidden}, 'c').addiRowVector(b1);
  }

  private synchronized INDArray array(String name) {
    if (cache == null) {
      cache = new LinkedHashMap<>();
    }
    return cache.computeIfAbsent(name, k -> Nd4j.create(arrays.get(k), shapes.get(k), 'c'));
  }

  /** JSON form: {"batch_norm": b, "arrays": {name: {"shape": [...], "values": [...]}}}. */
  public byte[] toJson() {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("batch_norm", batchNorm);
    ObjectNode all = root.putObject("arrays");
    for (Map.Entry<String, float[]> e : arrays.entrySet()) {
      ObjectNode a = all.putObject(e.getKey());
      a.set("shape", json.valueToTree(shapes.get(e.getKey())));
      a.set("values", json.valueToTree(e.getValue()));
    }
    try {
      return json.writeValueAsBytes(root);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  public static StudentTowers fromJson(byte[] bytes) {
    try {
      ObjectMapper json = new ObjectMapper();
      JsonNode root = json.readTree(bytes);
      Map<String, float[]> arrays = new LinkedHashMap<>();
      Map<String, long[]> shapes = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.get("arrays").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        shapes.put(e.getKey(), json.treeToValue(e.getValue().get("shape"), long[].class));
        arrays.put(e.getKey(), json.treeToValue(e.getValue().get("values"), float[].class));
      }
      return new StudentTowers(arrays, shapes, root.get("batch_norm").asBoolean());
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot read student towers", ex);
    }
  }
}
