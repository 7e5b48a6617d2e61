package org.aldi.serve;

import static org.apache.spark.sql.functions.col;

import com.typesafe.config.ConfigUtil;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aldi.backbone.BackboneStage;
import org.aldi.config.ConfigLoader;
import org.aldi.config.Settings;
import org.aldi.content.ContentColumn;
import org.aldi.distill.DistillStage;
import org.aldi.ingest.IngestStage;
import org.aldi.sample.SampleStage;
import org.aldi.split.SplitStage;
import org.aldi.store.RunFolder;
import org.aldi.store.Stage;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * ALDI as a spark.ml Estimator. fit takes the item-content DataFrame (the same kind of table the fitted
 * {@link AldiModel} transforms, so content feature stages can precede it in a Pipeline) and trains on the
 * interactions given by {@link #setInteractions}: it runs the pipeline's own stages (ingest, split, sample, MLlib
 * ALS backbone as the teacher, distillation, Eq. 10-23) in the run folder {@code runDir}, which keeps every
 * intermediate dataset for inspection, and returns the model of the best epoch.
 *
 * <p>Each typed param sets one key of the configuration (reference.conf documents them); its default is that
 * key's default. Every other key keeps its reference.conf default. Bad values fail at fit with the message of the
 * configuration check. Not MLWritable itself (it holds the interactions DataFrame); the model is.
 */
public final class AldiEstimator extends Estimator<AldiModel> {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Param<String> userCol;
  private final Param<String> itemCol;
  private final Param<String> contentCol;
  private final Param<String> outputCol;
  private final Param<String> runDir;
  private final IntParam rank;
  private final IntParam alsMaxIter;
  private final IntParam hidden;
  private final BooleanParam batchNorm;
  private final IntParam batchSize;
  private final DoubleParam learningRate;
  private final IntParam maxEpochs;
  private final IntParam patience;
  private final DoubleParam alpha;
  private final DoubleParam beta;
  private final DoubleParam gamma;
  private final DoubleParam coldItemFraction;
  private final LongParam seed;
  /** The configuration key each training param sets. */
  private final Map<Param<?>, String> keys = new LinkedHashMap<>();
  private Dataset<?> interactions;

  public AldiEstimator() {
    this(Identifiable.randomUID("aldi"));
  }

  public AldiEstimator(String uid) {
    this.uid = uid;
    userCol = new Param<>(this, "userCol", "user index column of the interactions (int)");
    itemCol = new Param<>(this, "itemCol", "item index column of the interactions and of the content (int)");
    contentCol = new Param<>(this, "contentCol", "item content column: array of numbers or ml Vector");
    outputCol = new Param<>(this, "outputCol", "output column of the model: item vectors f_I(c)");
    runDir = new Param<>(this, "runDir", "run folder where fit writes its stages (any Hadoop path)");
    setDefault(userCol, "user");
    setDefault(itemCol, "item");
    setDefault(contentCol, "features");
    setDefault(outputCol, "vector");
    Settings d = ConfigLoader.load(List.of(), List.of());
    rank = intParam("rank", "backbone.dimension", "dimension of the teacher embeddings and the towers' output",
        d.backbone.dimension);
    alsMaxIter = intParam("alsMaxIter", "backbone.als.max-iter", "ALS iterations of the backbone",
        d.backbone.alsMaxIter);
    hidden = intParam("hidden", "distill.hidden", "hidden width of the towers f_U, f_I (Eq. 8)", d.distill.hidden);
    batchNorm = key(new BooleanParam(this, "batchNorm", "batch normalisation in the towers"), "distill.batch-norm",
        d.distill.batchNorm);
    batchSize = intParam("batchSize", "distill.batch-size", "training triples per batch", d.distill.batchSize);
    learningRate = doubleParam("learningRate", "distill.learning-rate", "Adam learning rate", d.distill.learningRate);
    maxEpochs = intParam("maxEpochs", "distill.max-epochs", "epochs at most", d.distill.maxEpochs);
    patience = intParam("patience", "distill.patience", "early-stopping patience on cold-validation NDCG",
        d.distill.patience);
    alpha = doubleParam("alpha", "distill.loss.alpha", "weight of the rating-distribution loss (Eq. 10)",
        d.distill.alpha);
    beta = doubleParam("beta", "distill.loss.beta", "weight of the ranking loss (Eq. 10)", d.distill.beta);
    gamma = doubleParam("gamma", "distill.loss.gamma", "weight of the identification loss (Eq. 10)",
        d.distill.gamma);
    coldItemFraction = doubleParam("coldItemFraction", "split.cold-item-fraction",
        "fraction of items held out as cold items for validation and test", d.split.coldItemFraction);
    seed = key(new LongParam(this, "seed", "seed of every random choice"), "run.seed", d.run.seed);
  }

  private IntParam intParam(String name, String key, String doc, int value) {
    return key(new IntParam(this, name, doc + " (" + key + ")"), key, value);
  }

  private DoubleParam doubleParam(String name, String key, String doc, double value) {
    return key(new DoubleParam(this, name, doc + " (" + key + ")"), key, value);
  }

  private <T, P extends Param<T>> P key(P param, String key, T defaultValue) {
    setDefault(param, defaultValue);
    keys.put(param, key);
    return param;
  }

  @Override
  public String uid() {
    return uid;
  }

  /** The training interactions (userCol, itemCol); required before fit. */
  public AldiEstimator setInteractions(Dataset<?> value) {
    interactions = value;
    return this;
  }

  public Param<String> userCol() { return userCol; }
  public Param<String> itemCol() { return itemCol; }
  public Param<String> contentCol() { return contentCol; }
  public Param<String> outputCol() { return outputCol; }
  public Param<String> runDir() { return runDir; }
  public IntParam rank() { return rank; }
  public IntParam alsMaxIter() { return alsMaxIter; }
  public IntParam hidden() { return hidden; }
  public BooleanParam batchNorm() { return batchNorm; }
  public IntParam batchSize() { return batchSize; }
  public DoubleParam learningRate() { return learningRate; }
  public IntParam maxEpochs() { return maxEpochs; }
  public IntParam patience() { return patience; }
  public DoubleParam alpha() { return alpha; }
  public DoubleParam beta() { return beta; }
  public DoubleParam gamma() { return gamma; }
  public DoubleParam coldItemFraction() { return coldItemFraction; }
  public LongParam seed() { return seed; }

  public AldiEstimator setUserCol(String v) { set(userCol, v); return this; }
  public AldiEstimator setItemCol(String v) { set(itemCol, v); return this; }
  public AldiEstimator setContentCol(String v) { set(contentCol, v); return this; }
  public AldiEstimator setOutputCol(String v) { set(outputCol, v); return this; }
  public AldiEstimator setRunDir(String v) { set(runDir, v); return this; }
  public AldiEstimator setRank(int v) { set(rank, v); return this; }
  public AldiEstimator setAlsMaxIter(int v) { set(alsMaxIter, v); return this; }
  public AldiEstimator setHidden(int v) { set(hidden, v); return this; }
  public AldiEstimator setBatchNorm(boolean v) { set(batchNorm, v); return this; }
  public AldiEstimator setBatchSize(int v) { set(batchSize, v); return this; }
  public AldiEstimator setLearningRate(double v) { set(learningRate, v); return this; }
  public AldiEstimator setMaxEpochs(int v) { set(maxEpochs, v); return this; }
  public AldiEstimator setPatience(int v) { set(patience, v); return this; }
  public AldiEstimator setAlpha(double v) { set(alpha, v); return this; }
  public AldiEstimator setBeta(double v) { set(beta, v); return this; }
  public AldiEstimator setGamma(double v) { set(gamma, v); return this; }
  public AldiEstimator setColdItemFraction(double v) { set(coldItemFraction, v); return this; }
  public AldiEstimator setSeed(long v) { set(seed, v); return this; }

  /**
   * Trains on the interactions and the given item content: the two become the Parquet sources (runDir/source/) of
   * an ordinary run, whose stages then run in runDir.
   */
  @Override
  public AldiModel fit(Dataset<?> content) {
    transformSchema(content.schema(), true);
    if (interactions == null) {
      throw new IllegalStateException("no interactions: call setInteractions(DataFrame of "
          + getOrDefault(userCol) + ", " + getOrDefault(itemCol) + ") before fit");
    }
    if (!isDefined(runDir)) {
      throw new IllegalStateException("no run folder: call setRunDir(path) before fit");
    }
    String dir = getOrDefault(runDir);
    String interactionsPath = new Path(dir, "source/interactions").toString();
    String contentPath = new Path(dir, "source/item_content").toString();
    interactions.select(col(getOrDefault(userCol)).cast(DataTypes.IntegerType).as("user"),
            col(getOrDefault(itemCol)).cast(DataTypes.IntegerType).as("item"))
        .write().mode(SaveMode.Overwrite).parquet(interactionsPath);
    String features = getOrDefault(contentCol);
    boolean vector = ContentColumn.isVector(content.schema(), features);
    content.toDF().select(col(getOrDefault(itemCol)).cast(DataTypes.IntegerType).as("item"),
            ContentColumn.stored(col(features), vector).as("features"))
        .write().mode(SaveMode.Overwrite).parquet(contentPath);

    List<String> overrides = new ArrayList<>(List.of(
        "run.dir=" + quoted(dir),
        "data.interactions.path=" + quoted(interactionsPath), "data.interactions.format=parquet",
        "data.content.path=" + quoted(contentPath), "data.content.format=parquet",
        "data.content.dimension=" + ContentColumn.dimensionOf(content.sparkSession().read().parquet(contentPath),
            "features")));
    for (Map.Entry<Param<?>, String> e : keys.entrySet()) {
      @SuppressWarnings("unchecked")
      Param<Object> param = (Param<Object>) e.getKey();
      overrides.add(e.getValue() + "=" + param.jsonEncode(getOrDefault(param)));
    }
    Settings settings = ConfigLoader.load(List.of(), overrides);
    RunFolder run = new RunFolder(content.sparkSession(), dir);
    for (Stage stage : new Stage[] {new IngestStage(), new SplitStage(), new SampleStage(), new BackboneStage(),
        new DistillStage()}) {
      run.execute(stage, settings);
    }
    AldiModel model = new AldiModel(uid, EmbedStage.towers(run))
        .setContentCol(getOrDefault(contentCol)).setOutputCol(getOrDefault(outputCol));
    return model.setParent(this);
  }

  private static String quoted(String s) {
    return ConfigUtil.quoteString(s);
  }

  /** The content schema with the model's output column (checks the content column). */
  @Override
  public StructType transformSchema(StructType schema) {
    return new AldiModel(uid, null).setContentCol(getOrDefault(contentCol)).setOutputCol(getOrDefault(outputCol))
        .transformSchema(schema);
  }

  @Override
  public AldiEstimator copy(ParamMap extra) {
    AldiEstimator copy = defaultCopy(extra);
    return copy.setInteractions(interactions);
  }
}
