package org.aldi.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigRenderOptions;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Typed, validated view of the "aldi" configuration tree. Every value is read and checked once, at start-up,
 * so a bad value fails before Spark does any work. Section classes mirror the packages of the pipeline.
 */
public final class Settings implements Serializable {
  private static final long serialVersionUID = 1L;

  public final Run run;
  public final SparkSettings spark;
  public final Data data;
  public final Split split;
  public final Sample sample;
  public final Backbone backbone;
  public final Distill distill;
  public final Evaluate evaluate;
  public final Generate generate;
  public final Serve serve;
  public final Report report;
  public final Compare compare;
  public final Bench bench;
  private final String rendered;

  Settings(Config root) {
    try {
      run = new Run(new Section(root, "aldi.run."));
      spark = new SparkSettings(new Section(root, "aldi.spark."));
      data = new Data(new Section(root, "aldi.data."));
      split = new Split(new Section(root, "aldi.split."));
      sample = new Sample(new Section(root, "aldi.sample."));
      backbone = new Backbone(new Section(root, "aldi.backbone."));
      distill = new Distill(new Section(root, "aldi.distill."));
      evaluate = new Evaluate(new Section(root, "aldi.evaluate."));
      generate = new Generate(new Section(root, "aldi.generate."));
      serve = new Serve(new Section(root, "aldi.serve."));
      report = new Report(new Section(root, "aldi.report."));
      compare = new Compare(new Section(root, "aldi.compare."));
      bench = new Bench(new Section(root, "aldi.bench."));
    } catch (ConfigException e) {
      throw new ConfigError("bad configuration value: " + e.getMessage());
    }
    rendered = root.withOnlyPath("aldi").root().render(ConfigRenderOptions.concise().setFormatted(true));
  }

  /** The effective configuration as JSON, for run metadata. */
  public String renderJson() {
    return rendered;
  }

  public static final class Run implements Serializable {
    public final String dir;
    public final long seed;
    public final boolean overwrite;
    /** Skip a stage whose output is complete and made from the same inputs (if-exists = resume). */
    public final boolean resume;

    Run(Section c) {
      dir = nonEmpty(c, "dir", "aldi.run.dir");
      seed = c.getLong("seed");
      String ifExists = oneOf(c, "if-exists", "aldi.run.if-exists", "overwrite", "resume", "fail");
      overwrite = !ifExists.equals("fail");
      resume = ifExists.equals("resume");
    }
  }

  public static final class SparkSettings implements Serializable {
    public final String master;
    public final String appName;
    public final int shufflePartitions;
    public final int partitions;

    SparkSettings(Section c) {
      master = c.getString("master");
      appName = c.getString("app-name");
      shufflePartitions = positive(c, "shuffle-partitions", "aldi.spark.shuffle-partitions");
      partitions = positive(c, "partitions", "aldi.spark.partitions");
    }
  }

  public static final class Data implements Serializable {
    public final String interactionsPath;
    public final String interactionsFormat;
    public final String contentPath;
    public final String contentFormat;
    public final int contentDimension;
    public final int minItemFrequency;
    /** aldi.data.ids = "string": ids are text, mapped to indices at ingest. */
    public final boolean stringIds;

    Data(Section c) {
      interactionsPath = nonEmpty(c, "interactions.path", "aldi.data.interactions.path");
      interactionsFormat = oneOf(c, "interactions.format", "aldi.data.interactions.format", "citeulike-users", "csv", "parquet");
      contentPath = nonEmpty(c, "content.path", "aldi.data.content.path");
      contentFormat = oneOf(c, "content.format", "aldi.data.content.format", "citeulike-tags", "parquet");
      contentDimension = positive(c, "content.dimension", "aldi.data.content.dimension");
      minItemFrequency = positive(c, "content.min-item-frequency", "aldi.data.content.min-item-frequency");
      stringIds = oneOf(c, "ids", "aldi.data.ids", "integer", "string").equals("string");
      if (stringIds && (interactionsFormat.equals("citeulike-users") || !contentFormat.equals("parquet"))) {
        throw new ConfigError("aldi.data.ids = string needs aldi.data.interactions.format = csv or parquet and "
            + "aldi.data.content.format = parquet (the citeulike formats identify users and items by line number), "
            + "got " + interactionsFormat + " and " + contentFormat);
      }
    }
  }

  public static final class Split implements Serializable {
    public final boolean given;
    public final double coldItemFraction;
    public final double warmTrainFraction;
    public final double warmValFraction;
    public final double coldValFraction;
    public final String givenTrain;
    public final String givenWarmVal;
    public final String givenWarmTest;
    public final String givenColdVal;
    public final String givenColdTest;

    Split(Section c) {
      given = oneOf(c, "mode", "aldi.split.mode", "random", "given").equals("given");
      coldItemFraction = openUnit(c, "cold-item-fraction", "aldi.split.cold-item-fraction");
      warmTrainFraction = openUnit(c, "warm-train-fraction", "aldi.split.warm-train-fraction");
      warmValFraction = openUnit(c, "warm-val-fraction", "aldi.split.warm-val-fraction");
      coldValFraction = openUnit(c, "cold-val-fraction", "aldi.split.cold-val-fraction");
      if (warmTrainFraction + warmValFraction >= 1.0) {
        throw new ConfigError("aldi.split.warm-train-fraction + aldi.split.warm-val-fraction must be < 1 (the rest is "
            + "warm test), got " + warmTrainFraction + " + " + warmValFraction);
      }
      givenTrain = c.getString("given.train");
      givenWarmVal = c.getString("given.warm-val");
      givenWarmTest = c.getString("given.warm-test");
      givenColdVal = c.getString("given.cold-val");
      givenColdTest = c.getString("given.cold-test");
      if (given) {
        for (String part : new String[] {"train", "warm-val", "warm-test", "cold-val", "cold-test"}) {
          nonEmpty(c, "given." + part, "aldi.split.given." + part);
        }
      }
    }
  }

  public static final class Sample implements Serializable {
    public final int epochSets;
    public final boolean userUniform;
    public final int maxNegativeDraws;

    Sample(Section c) {
      epochSets = positive(c, "epoch-sets", "aldi.sample.epoch-sets");
      userUniform = oneOf(c, "positives", "aldi.sample.positives", "record", "user-uniform").equals("user-uniform");
      maxNegativeDraws = positive(c, "max-negative-draws", "aldi.sample.max-negative-draws");
    }
  }

  public static final class Backbone implements Serializable {
    public final String method;
    public final int dimension;
    public final int alsMaxIter;
    public final double alsRegParam;
    public final double alsAlpha;
    public final int alsNumBlocks;
    public final double bprLearningRate;
    public final double bprReg;
    public final int bprBatchSize;
    public final int bprMaxEpochs;
    public final int bprPatience;
    public final double bprInitStd;

    Backbone(Section c) {
      method = oneOf(c, "method", "aldi.backbone.method", "als", "bpr-mf");
      dimension = positive(c, "dimension", "aldi.backbone.dimension");
      alsMaxIter = positive(c, "als.max-iter", "aldi.backbone.als.max-iter");
      alsRegParam = nonNegative(c, "als.reg-param", "aldi.backbone.als.reg-param");
      alsAlpha = nonNegative(c, "als.alpha", "aldi.backbone.als.alpha");
      alsNumBlocks = positive(c, "als.num-blocks", "aldi.backbone.als.num-blocks");
      bprLearningRate = positiveDouble(c, "bpr.learning-rate", "aldi.backbone.bpr.learning-rate");
      bprReg = nonNegative(c, "bpr.reg", "aldi.backbone.bpr.reg");
      bprBatchSize = positive(c, "bpr.batch-size", "aldi.backbone.bpr.batch-size");
      bprMaxEpochs = positive(c, "bpr.max-epochs", "aldi.backbone.bpr.max-epochs");
      bprPatience = positive(c, "bpr.patience", "aldi.backbone.bpr.patience");
      bprInitStd = positiveDouble(c, "bpr.init-std", "aldi.backbone.bpr.init-std");
    }
  }

  public static final class Distill implements Serializable {
    /** Values of aldi.distill.method: the cold-start method the model stage trains. */
    public static final String[] METHODS = {"aldi", "deepmusic", "dropoutnet", "backbone-only"};

    public final String method;
    public final double dropoutNetDropout;
    public final int hidden;
    public final boolean batchNorm;
    public final int batchNormStatBatches;
    public final double initStd;
    public final int batchSize;
    public final double learningRate;
    public final double l2;
    public final int maxEpochs;
    public final int patience;
    public final double alpha;
    public final double beta;
    public final double gamma;
    public final boolean squaredRatingDistance;
    public final String teacherWeightMode;
    public final double omega;
    public final double referenceM;
    public final boolean localTrainer;
    public final int averagingFrequency;
    public final int workers;

    Distill(Section c) {
      method = oneOf(c, "method", "aldi.distill.method", METHODS);
      dropoutNetDropout = c.getDouble("dropoutnet.dropout");
      if (!(dropoutNetDropout >= 0 && dropoutNetDropout < 1)) {
        throw new ConfigError("aldi.distill.dropoutnet.dropout must be in [0, 1), got " + dropoutNetDropout);
      }
      hidden = positive(c, "hidden", "aldi.distill.hidden");
      batchNorm = c.getBoolean("batch-norm");
      batchNormStatBatches = positive(c, "batch-norm-stat-batches", "aldi.distill.batch-norm-stat-batches");
      initStd = positiveDouble(c, "init-std", "aldi.distill.init-std");
      batchSize = positive(c, "batch-size", "aldi.distill.batch-size");
      learningRate = positiveDouble(c, "learning-rate", "aldi.distill.learning-rate");
      l2 = nonNegative(c, "l2", "aldi.distill.l2");
      maxEpochs = positive(c, "max-epochs", "aldi.distill.max-epochs");
      patience = positive(c, "patience", "aldi.distill.patience");
      alpha = nonNegative(c, "loss.alpha", "aldi.distill.loss.alpha");
      beta = nonNegative(c, "loss.beta", "aldi.distill.loss.beta");
      gamma = nonNegative(c, "loss.gamma", "aldi.distill.loss.gamma");
      squaredRatingDistance =
          oneOf(c, "loss.rating-distance", "aldi.distill.loss.rating-distance", "absolute", "squared").equals("squared");
      teacherWeightMode = oneOf(c, "teacher-weight.mode", "aldi.distill.teacher-weight.mode", "off", "paper", "reference");
      omega = positiveDouble(c, "teacher-weight.omega", "aldi.distill.teacher-weight.omega");
      referenceM = positiveDouble(c, "teacher-weight.m", "aldi.distill.teacher-weight.m");
      localTrainer = oneOf(c, "trainer", "aldi.distill.trainer", "parameter-averaging", "local").equals("local");
      averagingFrequency = positive(c, "parameter-averaging.averaging-frequency",
          "aldi.distill.parameter-averaging.averaging-frequency");
      workers = c.getInt("parameter-averaging.workers");
      if (workers < 0) {
        throw new ConfigError("aldi.distill.parameter-averaging.workers must be >= 0, got " + workers);
      }
    }
  }

  public static final class Evaluate implements Serializable {
    public final int[] ks;
    public final int validationK;
    public final int maxUsers;
    public final boolean overallUsersBoth;
    public final int userBlockSize;

    Evaluate(Section c) {
      List<Integer> list = c.getIntList("k");
      if (list.isEmpty()) {
        throw new ConfigError("aldi.evaluate.k must list at least one cut-off");
      }
      ks = list.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
      if (ks[0] <= 0) {
        throw new ConfigError("aldi.evaluate.k must hold positive cut-offs, got " + list);
      }
      validationK = positive(c, "validation-k", "aldi.evaluate.validation-k");
      maxUsers = c.getInt("max-users");
      if (maxUsers < 0) {
        throw new ConfigError("aldi.evaluate.max-users must be >= 0 (0 = all users), got " + maxUsers);
      }
      overallUsersBoth = oneOf(c, "overall-users", "aldi.evaluate.overall-users", "both", "either").equals("both");
      userBlockSize = positive(c, "user-block-size", "aldi.evaluate.user-block-size");
    }
  }

  public static final class Generate implements Serializable {
    public final String dir;
    public final int users;
    public final int items;
    public final int contentDimension;
    public final int latentDimension;
    public final double popularityExponent;
    public final double tasteSignal;
    public final double contentSignal;
    public final int minUserInteractions;
    public final double meanUserInteractions;
    public final double activityShape;
    public final int attributesMin;
    public final double attributesMean;

    Generate(Section c) {
      dir = nonEmpty(c, "dir", "aldi.generate.dir");
      users = positive(c, "users", "aldi.generate.users");
      items = positive(c, "items", "aldi.generate.items");
      contentDimension = positive(c, "content-dimension", "aldi.generate.content-dimension");
      latentDimension = positive(c, "latent-dimension", "aldi.generate.latent-dimension");
      popularityExponent = nonNegative(c, "popularity-exponent", "aldi.generate.popularity-exponent");
      tasteSignal = nonNegative(c, "taste-signal", "aldi.generate.taste-signal");
      contentSignal = nonNegative(c, "content-signal", "aldi.generate.content-signal");
      minUserInteractions = positive(c, "min-user-interactions", "aldi.generate.min-user-interactions");
      meanUserInteractions = positiveDouble(c, "mean-user-interactions", "aldi.generate.mean-user-interactions");
      activityShape = positiveDouble(c, "activity-shape", "aldi.generate.activity-shape");
      attributesMin = positive(c, "attributes-min", "aldi.generate.attributes-min");
      attributesMean = positiveDouble(c, "attributes-mean", "aldi.generate.attributes-mean");
      if (meanUserInteractions < minUserInteractions) {
        throw new ConfigError("aldi.generate.mean-user-interactions must be >= aldi.generate.min-user-interactions, got "
            + meanUserInteractions + " < " + minUserInteractions);
      }
      if (activityShape <= 1) {
        throw new ConfigError("aldi.generate.activity-shape must be > 1 (a finite mean), got " + activityShape);
      }
      if (attributesMean < attributesMin) {
        throw new ConfigError("aldi.generate.attributes-mean must be >= aldi.generate.attributes-min, got "
            + attributesMean + " < " + attributesMin);
      }
    }
  }

  public static final class Serve implements Serializable {
    public final String newItems;
    public final String newItemVectors;
    public final int k;

    Serve(Section c) {
      newItems = c.getString("new-items");
      newItemVectors = c.getString("new-item-vectors");
      k = positive(c, "k", "aldi.serve.k");
    }
  }

  public static final class Report implements Serializable {
    public final int sampleTriples;
    public final int samplePairs;
    public final int bins;
    public final int notebookUsers;

    Report(Section c) {
      sampleTriples = positive(c, "sample-triples", "aldi.report.sample-triples");
      samplePairs = positive(c, "sample-pairs", "aldi.report.sample-pairs");
      bins = positive(c, "bins", "aldi.report.bins");
      notebookUsers = positive(c, "notebook-users", "aldi.report.notebook-users");
    }
  }

  /** The comparison job (org.aldi.jobs.CompareJob): rows of methods and variants, seeds, protocols. */
  public static final class Compare implements Serializable {
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final List<String> ROW_KEYS = List.of("id", "name", "method", "set");

    /** One row of the table: a method of aldi.distill.method with overrides of distill.* keys. */
    public record Row(String id, String name, String method, List<String> set) implements Serializable {}

    public final String title;
    public final List<Long> seeds;
    public final String out;
    public final List<Integer> maxUsers;
    public final List<String> reports;
    public final List<Row> rows;

    Compare(Section c) {
      title = nonEmpty(c, "title", "aldi.compare.title");
      seeds = c.getLongList("seeds");
      if (seeds.isEmpty() || seeds.stream().distinct().count() != seeds.size()) {
        throw new ConfigError("aldi.compare.seeds must list at least one seed, each once, got " + seeds);
      }
      out = nonEmpty(c, "out", "aldi.compare.out");
      maxUsers = c.getIntList("max-users");
      if (maxUsers.isEmpty() || maxUsers.stream().anyMatch(n -> n < 0)
          || maxUsers.stream().distinct().count() != maxUsers.size()) {
        throw new ConfigError("aldi.compare.max-users must list distinct values >= 0 (0 = all users), got " + maxUsers);
      }
      List<Row> list = new ArrayList<>();
      for (Config row : c.getConfigList("rows")) {
        String where = "aldi.compare.rows[" + list.size() + "]";
        for (String key : row.root().keySet()) {
          if (!ROW_KEYS.contains(key)) {
            throw new ConfigError(where + " has an unknown field \"" + key + "\" (fields: " + ROW_KEYS + ")");
          }
        }
        String id = row.hasPath("id") ? row.getString("id") : "";
        if (!ID.matcher(id).matches()) {
          throw new ConfigError(where + ".id must be lower-case letters, digits and '-', got \"" + id + "\"");
        }
        if (list.stream().anyMatch(r -> r.id().equals(id))) {
          throw new ConfigError(where + ".id \"" + id + "\" is used by an earlier row");
        }
        String name = row.hasPath("name") ? row.getString("name") : id;
        String method = row.hasPath("method") ? row.getString("method") : "";
        if (!List.of(Distill.METHODS).contains(method)) {
          throw new ConfigError(where + ".method must be one of " + String.join(" | ", Distill.METHODS) + ", got \""
              + method + "\"");
        }
        List<String> set = row.hasPath("set") ? row.getStringList("set") : List.of();
        for (String override : set) {
          String key = override.contains("=") ? override.substring(0, override.indexOf('=')).trim() : "";
          key = key.startsWith("aldi.") ? key.substring("aldi.".length()) : key;
          if (!key.startsWith("distill.") || key.equals("distill.method")) {
            throw new ConfigError(where + ".set: \"" + override + "\" must be key=value with a key of distill.* "
                + "(other than distill.method); the rest is shared by every row of a seed");
          }
        }
        list.add(new Row(id, name, method, List.copyOf(set)));
      }
      if (list.isEmpty()) {
        throw new ConfigError("aldi.compare.rows must hold at least one row");
      }
      rows = List.copyOf(list);
      reports = c.getStringList("reports");
      for (String id : reports) {
        Row row = rows.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow(() -> new ConfigError(
            "aldi.compare.reports names \"" + id + "\", which is not the id of a row of aldi.compare.rows"));
        if (row.method().equals("backbone-only")) {
          throw new ConfigError("aldi.compare.reports: row \"" + id + "\" has no towers to report on (method "
              + "backbone-only)");
        }
      }
    }
  }

  public static final class Bench implements Serializable {
    public final int trainerTriples;

    Bench(Section c) {
      trainerTriples = positive(c, "trainer-triples", "aldi.bench.trainer-triples");
    }
  }

  /** Reads keys of one section by their full path, so that every error message names the full key. */
  private static final class Section {
    private final Config root;
    private final String prefix;

    Section(Config root, String prefix) {
      this.root = root;
      this.prefix = prefix;
    }

    String getString(String path) {
      return root.getString(prefix + path);
    }

    int getInt(String path) {
      return root.getInt(prefix + path);
    }

    long getLong(String path) {
      return root.getLong(prefix + path);
    }

    double getDouble(String path) {
      return root.getDouble(prefix + path);
    }

    boolean getBoolean(String path) {
      return root.getBoolean(prefix + path);
    }

    List<Integer> getIntList(String path) {
      return root.getIntList(prefix + path);
    }

    List<String> getStringList(String path) {
      return root.getStringList(prefix + path);
    }

    List<Long> getLongList(String path) {
      return root.getLongList(prefix + path);
    }

    List<? extends Config> getConfigList(String path) {
      return root.getConfigList(prefix + path);
    }
  }

  // ---- checks: each names the full key and the offending value ----

  private static String nonEmpty(Section c, String path, String key) {
    String value = c.getString(path);
    if (value.trim().isEmpty()) {
      throw new ConfigError(key + " must not be empty");
    }
    return value;
  }

  private static String oneOf(Section c, String path, String key, String... allowed) {
    String value = c.getString(path);
    for (String a : allowed) {
      if (a.equals(value)) {
        return value;
      }
    }
    throw new ConfigError(key + " must be one of " + String.join(" | ", allowed) + ", got \"" + value + "\"");
  }

  private static int positive(Section c, String path, String key) {
    int value = c.getInt(path);
    if (value <= 0) {
      throw new ConfigError(key + " must be > 0, got " + value);
    }
    return value;
  }

  private static double positiveDouble(Section c, String path, String key) {
    double value = c.getDouble(path);
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new ConfigError(key + " must be > 0, got " + value);
    }
    return value;
  }

  private static double nonNegative(Section c, String path, String key) {
    double value = c.getDouble(path);
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new ConfigError(key + " must be >= 0, got " + value);
    }
    return value;
  }

  private static double openUnit(Section c, String path, String key) {
    double value = c.getDouble(path);
    if (!(value > 0 && value < 1)) {
      throw new ConfigError(key + " must be in (0, 1), got " + value);
    }
    return value;
  }
}
