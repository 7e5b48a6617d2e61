package org.aldi.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.aldi.distill.StudentTowers;
import org.aldi.store.RunFolder;
import org.aldi.testing.TestSpark;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.aldi.testing.Vectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The spark.ml API on a small synthetic world (content = the items' latent taste plus noise; each user interacts
 * with their best-matching items): fit in a Pipeline really trains, the model transforms item content into the
 * vectors the run's own stage wrote, and a saved and loaded model (alone or in a PipelineModel) gives identical
 * vectors and scores.
 */
class AldiEstimatorTest {
  static final int USERS = 200;
  static final int ITEMS = 90;
  static final int LATENT = 4;
  static final int NOISE = 4;

  @TempDir Path dir;

  @Test
  void fitsInAPipelineTransformsContentAndRoundTripsThroughSaveAndLoad() throws Exception {
    SparkSession spark = TestSpark.get();
    Random random = new Random(5);
    float[][] u = Vectors.gaussian(random, USERS, LATENT);
    float[][] v = Vectors.gaussian(random, ITEMS, LATENT);
    List<Row> interactions = new ArrayList<>();
    for (int user = 0; user < USERS; user++) {
      int uu = user;
      IntStream.range(0, ITEMS).boxed().sorted(Comparator.comparingDouble(i -> -Vectors.dot(u[uu], v[i]))).limit(10)
          .forEach(i -> interactions.add(RowFactory.create(uu, i)));
    }
    List<Row> content = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      Float[] c = new Float[LATENT + NOISE];
      for (int k = 0; k < c.length; k++) {
        c[k] = k < LATENT ? v[i][k] : (float) random.nextGaussian();
      }
      content.add(RowFactory.create(i, "title " + i, c));
    }
    Dataset<Row> interactionsDf = spark.createDataFrame(interactions,
        new StructType().add("uid", DataTypes.IntegerType).add("doc", DataTypes.IntegerType));
    Dataset<Row> contentDf = spark.createDataFrame(content, new StructType().add("doc", DataTypes.IntegerType)
        .add("title", DataTypes.StringType).add("tags", DataTypes.createArrayType(DataTypes.FloatType)));
    String runDir = dir.resolve("run").toString();
    AldiEstimator aldi = new AldiEstimator().setInteractions(interactionsDf).setUserCol("uid").setItemCol("doc")
        .setContentCol("tags").setOutputCol("embedding").setRunDir(runDir)
        .setRank(LATENT).setAlsMaxIter(3).setHidden(16).setBatchSize(64).setLearningRate(0.01)
        .setMaxEpochs(2).setPatience(2);

    PipelineModel pipeline = new Pipeline().setStages(new PipelineStage[] {aldi}).fit(contentDf);

    AldiModel model = (AldiModel) pipeline.stages()[0];
    assertSame(aldi, model.parent());
    // fit trained a run: its stages are complete, with the params as configuration keys
    RunFolder run = new RunFolder(spark, runDir);
    assertTrue(run.isComplete(RunFolder.MODEL));
    assertEquals(2, run.readJson(RunFolder.MODEL, "history.json").get("epochs").size());
    JsonNode config = run.readJson(RunFolder.MODEL, "_aldi_meta.json").get("config").get("aldi");
    assertEquals(16, config.get("distill").get("hidden").asInt());
    assertEquals(LATENT, config.get("backbone").get("dimension").asInt());
    assertEquals(0.2, config.get("split").get("cold-item-fraction").asDouble());

    // transform keeps every column and adds f_I(c), equal to what the distillation stage wrote for the items
    Dataset<Row> transformed = pipeline.transform(contentDf);
    assertEquals(List.of("doc", "title", "tags", "embedding"), List.of(transformed.columns()));
    Map<Integer, float[]> vectors = vectors(transformed, "doc", "embedding");
    Map<Integer, float[]> written = vectors(run.read(RunFolder.MODEL, "student_items"), "item", "vector");
    assertEquals(ITEMS, vectors.size());
    vectors.forEach((item, x) -> assertArrayEquals(written.get(item), x, 1e-5f, "item " + item));
    // an ml Vector content column gives the same vectors
    Dataset<Row> asVector = contentDf.withColumn("tags", functions.array_to_vector(col("tags")));
    vectors(model.transform(asVector), "doc", "embedding")
        .forEach((item, x) -> assertArrayEquals(vectors.get(item), x, "ml Vector input, item " + item));

    // round trip: a PipelineModel and a bare model, saved and loaded, give identical vectors and scores
    String pipelinePath = dir.resolve("pipeline").toString();
    pipeline.save(pipelinePath);
    PipelineModel loadedPipeline = PipelineModel.load(pipelinePath);
    vectors(loadedPipeline.transform(contentDf), "doc", "embedding")
        .forEach((item, x) -> assertArrayEquals(vectors.get(item), x, "loaded pipeline, item " + item));
    String modelPath = dir.resolve("model").toString();
    model.save(modelPath);
    AldiModel loaded = AldiModel.load(modelPath);
    assertEquals(model.uid(), loaded.uid());
    assertEquals("embedding", loaded.getOutputCol());
    assertEquals("tags", loaded.getContentCol());
    vectors(loaded.transform(contentDf), "doc", "embedding")
        .forEach((item, x) -> assertArrayEquals(vectors.get(item), x, "loaded model, item " + item));
    INDArray teachers = Nd4j.create(u);
    INDArray items = Nd4j.create(floatMatrix(contentDf));
    float[] scores = scores(model.towers(), teachers, items);
    assertArrayEquals(scores, scores(loaded.towers(), teachers, items), "f_U(e_u) . f_I(c_i) of every pair");
    assertNotEquals(0f, scores[0]);
  }

  /** Cold scores f_U(e_u) . f_I(c_i) of every user and item (Eq. 9, second branch). */
  private static float[] scores(StudentTowers towers, INDArray teachers, INDArray content) {
    return towers.mapUsers(teachers).mmul(towers.mapItems(content).transpose()).dup('c').data().asFloat();
  }

  private static float[][] floatMatrix(Dataset<Row> content) {
    return content.orderBy("doc").collectAsList().stream().map(r -> Vectors.floats(r.getList(2))).toArray(float[][]::new);
  }

  private static Map<Integer, float[]> vectors(Dataset<Row> data, String id, String vector) {
    Map<Integer, float[]> out = new HashMap<>();
    data.select(id, vector).collectAsList().forEach(r -> out.put(r.getInt(0), Vectors.floats(r.getList(1))));
    return out;
  }
}
