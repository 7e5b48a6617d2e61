package org.aldi.bench;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.aldi.config.Settings;
import org.aldi.distill.AldiNetwork;
import org.aldi.distill.DistillStage;
import org.aldi.distill.EpochTrainer;
import org.aldi.distill.TrainingBatches;
import org.aldi.ranking.Candidates;
import org.aldi.ranking.ColdStartEvaluator;
import org.aldi.ranking.RankingEngine;
import org.aldi.store.Preflight;
import org.aldi.store.RunFolder;
import org.aldi.store.SparkProgress;
import org.aldi.store.Stage;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures a pipeline run: per stage its wall time, the rows it wrote (from its metadata file) and its peak
 * memory (the JVM's peak resident set, reset before each stage through /proc/self/clear_refs, and the peak Java
 * heap), then the distillation throughput (from model/history.json), then full-ranking of every user against
 * every item (the evaluation engine, exclusions on) beside the bare matrix product of the same sizes in the same
 * JVM, the hardware bound. Writes bench.json and bench.md.
 */
public final class Bench {
  private static final Logger LOG = LoggerFactory.getLogger(Bench.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The stages from the split to the metrics (the XING target's scope). */
  private static final List<String> SPLIT_TO_METRICS =
      List.of(RunFolder.SPLIT, RunFolder.TRIPLES, RunFolder.BACKBONE, RunFolder.MODEL, RunFolder.EVAL);

  private Bench() {}

  public static Map<String, Object> run(SparkSession spark, Settings settings, String name, String commit,
      List<Stage> stages) {
    RunFolder run = new RunFolder(spark, settings.run.dir);
    Preflight.check(run, settings, stages);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("name", name);
    report.put("commit", commit);
    report.put("started", Instant.now().toString());
    report.put("machine", machine());
    report.put("spark_master", spark.sparkContext().master());
    report.put("load_average_at_start", loadAverage());
    List<Map<String, Object>> stageRows = new ArrayList<>();
    long total = System.nanoTime();
    for (Stage stage : stages) {
      resetPeaks();
      long start = System.nanoTime();
      LOG.info("bench: stage {} start", stage.name());
      run.execute(stage, settings);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("stage", stage.name());
      row.put("seconds", (System.nanoTime() - start) / 1e9);
      row.put("rows_written", rowsWritten(run, stage.name()));
      row.put("peak_rss_mb", peakRssMb());
      row.put("peak_heap_mb", peakHeapMb());
      row.put("load_average_at_end", loadAverage());
      stageRows.add(row);
      LOG.info("bench: stage {} {}", stage.name(), row);
    }
    report.put("stages", stageRows);
    report.put("total_seconds", (System.nanoTime() - total) / 1e9);
    report.put("split_to_metrics_seconds", stageRows.stream()
        .filter(r -> SPLIT_TO_METRICS.contains((String) r.get("stage"))).mapToDouble(r -> (Double) r.get("seconds"))
        .sum());
    report.put("metrics", JSON.convertValue(run.readJson(RunFolder.EVAL, "metrics.json"), Map.class));
    Map<String, Object> distillation = distillation(run);
    distillation.put("trainers", trainers(run, settings));
    report.put("distillation", distillation);
    report.put("full_ranking", fullRanking(run, settings));
    report.put("load_average_at_end", loadAverage());
    return report;
  }

  /**
   * Both trainers on the same first aldi.bench.trainer-triples triples of epoch set 0, each from a fresh network: the
   * local trainer (one network in this JVM) and DL4J's Spark parameter averaging (workers of this Spark master).
   */
  private static List<Map<String, Object>> trainers(RunFolder run, Settings settings) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(run.spark().sparkContext());
    TrainingBatches batches = DistillStage.trainingBatches(run, settings);
    Broadcast<TrainingBatches> broadcast = jsc.broadcast(batches);
    Dataset<Row> sample = run.read(RunFolder.TRIPLES, "triples").where(col("epoch").equalTo(0))
        .select("user", "pos", "neg").limit(settings.bench.trainerTriples).repartition(settings.spark.partitions)
        .cache();
    long triples = sample.count();
    List<Map<String, Object>> rows = new ArrayList<>();
    for (boolean local : new boolean[] {true, false}) {
      MultiLayerNetwork net = AldiNetwork.create(settings.distill, batches.layout(), settings.run.seed);
      EpochTrainer trainer = EpochTrainer.create(local, settings, jsc, net, batches, broadcast);
      long start = System.nanoTime();
      trainer.fit(sample, triples);
      double seconds = (System.nanoTime() - start) / 1e9;
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("trainer", local ? "local" : "parameter-averaging");
      row.put("triples", triples);
      row.put("seconds", seconds);
      row.put("triples_per_second", triples / seconds);
      row.put("load_average_at_end", loadAverage());
      rows.add(row);
      LOG.info("bench: trainer {}", row);
    }
    sample.unpersist();
    broadcast.destroy();
    return rows;
  }

  /** Mean triples per second of the training part of each epoch, from model/history.json. */
  private static Map<String, Object> distillation(RunFolder run) {
    JsonNode history = run.readJson(RunFolder.MODEL, "history.json");
    double triples = 0;
    double train = 0;
    double validation = 0;
    double epochs = 0;
    int n = 0;
    for (JsonNode epoch : history.get("epochs")) {
      triples += epoch.get("triples_per_second").asDouble() * epoch.get("train_seconds").asDouble();
      train += epoch.get("train_seconds").asDouble();
      validation += epoch.get("validation_seconds").asDouble();
      epochs += epoch.get("epoch_seconds").asDouble();
      n++;
    }
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("trainer", run.meta(RunFolder.MODEL).get("config").get("aldi")
        .get("distill").get("trainer").asText());
    d.put("epochs", n);
    d.put("best_epoch", history.get("best_epoch").asInt());
    d.put("triples_trained", Math.round(triples));
    d.put("triples_per_second", train == 0 ? 0 : triples / train);
    d.put("mean_train_seconds", n == 0 ? 0 : train / n);
    d.put("mean_validation_seconds", n == 0 ? 0 : validation / n);
    d.put("mean_epoch_seconds", n == 0 ? 0 : epochs / n);
    return d;
  }

  /**
   * Every user with a teacher embedding ranked against every item (warm items by their teacher vectors, the
   * others by their student vectors, all of the backbone's dimension), top max(K), the user's training items
   * excluded, through {@link RankingEngine}; then the same products alone, in as many threads as Spark has
   * cores. Ground truth is the user's test items, or a non-candidate id for users without any (timing only).
   */
  private static Map<String, Object> fullRanking(RunFolder run, Settings settings) {
    SparkSession spark = run.spark();
    Dataset<Row> users = run.read(RunFolder.BACKBONE, "user_factors")
        .select(col("id").as("user"), col("features").as("vector"));
    Dataset<Row> itemFactors = run.read(RunFolder.BACKBONE, "item_factors")
        .select(col("id").as("item"), col("features").as("vector"));
    Dataset<Row> others = run.read(RunFolder.MODEL, "student_items").join(itemFactors.select("item"), "item",
        "left_anti");
    ColdStartEvaluator.Split split = ColdStartEvaluator.Split.read(run);
    Dataset<Row> exclude = split.train().groupBy("user").agg(array_sort(collect_set(col("item"))).as("exclude"));
    Dataset<Row> truth = split.warmTest().union(split.coldTest()).groupBy("user")
        .agg(array_sort(collect_set(col("item"))).as("truth"));
    Dataset<Row> queries = users.join(truth, "user", "left").join(exclude, "user", "left")
        .select(col("user"), col("vector"), coalesce(col("truth"), array(lit(-1))).as("truth"),
            coalesce(col("exclude"), array()).as("exclude"))
        .repartition(settings.spark.partitions).cache();
    long userCount = queries.count();
    Dataset<Row> items = itemFactors.unionByName(others.select("item", "vector"));
    int[] allIds = items.select("item").as(org.apache.spark.sql.Encoders.INT()).collectAsList().stream()
        .mapToInt(Integer::intValue).sorted().toArray();
    Candidates candidates = Candidates.collect(items, allIds);
    int[] ks = settings.evaluate.ks;

    // each twice, in this JVM: the first pass warms up (JIT, the broadcast matrix), the second is the measurement
    Broadcast<Candidates> broadcast = RankingEngine.broadcast(spark, candidates);
    float[] userMatrix = userMatrix(queries, candidates.dim());
    int threads = spark.sparkContext().defaultParallelism();
    double[] rankingSeconds = new double[2];
    double[] productSeconds = new double[2];
    long ranked = 0;
    for (int pass = 0; pass < 2; pass++) {
      long start = System.nanoTime();
      try (SparkProgress.Phase phase = SparkProgress.phase(spark, "bench: full ranking")) {
        ranked = RankingEngine.summarize(RankingEngine.perUser(queries, broadcast, ks,
            settings.evaluate.userBlockSize), ks).users();
      }
      rankingSeconds[pass] = (System.nanoTime() - start) / 1e9;
      productSeconds[pass] = bareProduct(userMatrix, candidates, settings.evaluate.userBlockSize, threads);
    }
    queries.unpersist();
    broadcast.destroy();

    Map<String, Object> r = new LinkedHashMap<>();
    r.put("users", userCount);
    r.put("users_ranked", ranked);
    r.put("items", candidates.size());
    r.put("dimension", candidates.dim());
    r.put("top_k", ks[ks.length - 1]);
    r.put("ranking_seconds", rankingSeconds[1]);
    r.put("bare_product_seconds", productSeconds[1]);
    r.put("bare_product_threads", threads);
    r.put("ratio", rankingSeconds[1] / productSeconds[1]);
    r.put("warm_up_ranking_seconds", rankingSeconds[0]);
    r.put("warm_up_bare_product_seconds", productSeconds[0]);
    r.put("load_average_at_end", loadAverage());
    LOG.info("bench: full ranking {}", r);
    return r;
  }

  /** All user vectors, row-major (users x dim): user-sized, for the bare product on the driver. */
  private static float[] userMatrix(Dataset<Row> queries, int dim) {
    List<Row> rows = queries.select(col("vector").cast("array<float>")).collectAsList();
    float[] m = new float[rows.size() * dim];
    for (int r = 0; r < rows.size(); r++) {
      List<Float> v = rows.get(r).getList(0);
      for (int k = 0; k < dim; k++) {
        m[r * dim + k] = v.get(k);
      }
    }
    return m;
  }

  /** Seconds for every block's (block x items) product, blocks shared out over threads; the sums are kept. */
  private static double bareProduct(float[] users, Candidates c, int block, int threads) {
    int d = c.dim();
    int n = users.length / d;
    INDArray items = Nd4j.create(c.vectors(), new long[] {c.size(), d}, 'c');
    AtomicLong next = new AtomicLong();
    double[] checksum = new double[threads];
    long start = System.nanoTime();
    IntStream.range(0, threads).parallel().forEach(t -> {
      long b;
      while ((b = next.getAndIncrement()) * block < n) {
        int from = (int) (b * block);
        int rows = Math.min(block, n - from);
        float[] part = new float[rows * d];
        System.arraycopy(users, from * d, part, 0, rows * d);
        try (INDArray u = Nd4j.create(part, new long[] {rows, d}, 'c'); INDArray s = u.mmul(items.transpose())) {
          checksum[t] += s.getDouble(0, 0);
        }
      }
    });
    double seconds = (System.nanoTime() - start) / 1e9;
    LOG.debug("bare product checksum {}", checksum[0]);
    return seconds;
  }

  private static long rowsWritten(RunFolder run, String stage) {
    if (!run.isComplete(stage)) {
      return 0;
    }
    long rows = 0;
    for (Iterator<JsonNode> it = run.meta(stage).get("row_counts").elements();
        it.hasNext(); ) {
      rows += it.next().asLong();
    }
    return rows;
  }

  /** Resets the peak resident set (Linux: writing 5 to /proc/self/clear_refs) and the heap pools' peaks. */
  private static void resetPeaks() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warn("bench: cannot reset the peak resident set ({}); peaks are since JVM start", e.toString());
    }
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
  }

  /** VmHWM of /proc/self/status (peak resident set since the last reset), in MB; -1 where unavailable. */
  private static double peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException e) {
      LOG.warn("bench: cannot read /proc/self/status: {}", e.toString());
    }
    return -1;
  }

  /** Sum of the heap pools' peak usage since the last reset, in MB (an upper bound of the peak heap). */
  private static double peakHeapMb() {
    long bytes = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        bytes += pool.getPeakUsage().getUsed();
      }
    }
    return bytes / 1048576.0;
  }

  /** The 1-, 5- and 15-minute load averages of /proc/loadavg (the machine may be shared), or an empty list. */
  private static List<Double> loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return List.of(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]));
    } catch (IOException | RuntimeException e) {
      LOG.warn("bench: cannot read /proc/loadavg: {}", e.toString());
      return List.of();
    }
  }

  private static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("max_heap_mb", Runtime.getRuntime().maxMemory() / 1048576);
    m.put("java", System.getProperty("java.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          m.put("cpu", line.substring(line.indexOf(':') + 1).trim());
          break;
        }
      }
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          m.put("memory_gb", Long.parseLong(line.replaceAll("[^0-9]", "")) / 1048576.0);
          break;
        }
      }
    } catch (IOException e) {
      LOG.warn("bench: cannot read /proc: {}", e.toString());
    }
    m.put("omp_num_threads", System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"));
    return m;
  }

  /** Writes bench.json and bench.md into a local folder. */
  public static void write(Map<String, Object> report, Path folder) {
    try {
      Files.createDirectories(folder);
      Files.writeString(folder.resolve("bench.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report),
          StandardCharsets.UTF_8);
      Files.writeString(folder.resolve("bench.md"), markdown(report), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the benchmark to " + folder, e);
    }
  }

  @SuppressWarnings("unchecked")
  static String markdown(Map<String, Object> report) {
    StringBuilder md = new StringBuilder();
    md.append("# Benchmark: ").append(report.get("name")).append("\n\n");
    md.append("Written by `jobs/bench.sh ").append(report.get("name")).append("` (org.aldi.jobs.BenchJob) at commit ")
        .append(report.get("commit")).append(", started ").append(report.get("started")).append(".\n\n");
    md.append("Machine: ").append(report.get("machine")).append(", Spark master ")
        .append(report.get("spark_master")).append(". Load average (1, 5, 15 min) at the start ")
        .append(report.get("load_average_at_start")).append(", at the end ").append(report.get("load_average_at_end"))
        .append(": the machine's ").append(((Map<String, Object>) report.get("machine")).get("cores"))
        .append(" cores were shared with other work when the load exceeds that number.\n\n");
    md.append("| stage | seconds | rows written | peak RSS (MB) | peak heap (MB) | load at end |\n"
        + "|---|---:|---:|---:|---:|---|\n");
    for (Map<String, Object> s : (List<Map<String, Object>>) report.get("stages")) {
      md.append(String.format("| %s | %.1f | %,d | %,.0f | %,.0f | %s |%n", s.get("stage"), (Double) s.get("seconds"),
          (Long) s.get("rows_written"), (Double) s.get("peak_rss_mb"), (Double) s.get("peak_heap_mb"),
          s.get("load_average_at_end")));
    }
    md.append(String.format("| **total** | %.1f | | | | |%n%n", (Double) report.get("total_seconds")));
    md.append(String.format("Split to metrics (split, triples, backbone, model, eval): %.1f s.%n%n",
        (Double) report.get("split_to_metrics_seconds")));
    Map<String, Map<String, Object>> metrics = (Map<String, Map<String, Object>>) report.get("metrics");
    md.append("| task | metrics (test) |\n|---|---|\n");
    for (Map.Entry<String, Map<String, Object>> task : metrics.entrySet()) {
      md.append("| ").append(task.getKey()).append(" | ");
      task.getValue().forEach((k, v) -> md.append(k).append(' ')
          .append(v instanceof Number x ? String.format("%.4f", x.doubleValue()) : String.valueOf(v)).append("; "));
      md.append("|\n");
    }
    Map<String, Object> d = (Map<String, Object>) report.get("distillation");
    md.append(String.format("%nDistillation (trainer %s): %d epochs (best %d), %,d triples trained at %,.0f triples/s "
            + "(training passes only); per epoch on average %.1f s of training, %.1f s of validation (overlapping "
            + "the next epoch's training), %.1f s in all.%n%n",
        d.get("trainer"), (Integer) d.get("epochs"), (Integer) d.get("best_epoch"), (Long) d.get("triples_trained"),
        (Double) d.get("triples_per_second"), (Double) d.get("mean_train_seconds"),
        (Double) d.get("mean_validation_seconds"), (Double) d.get("mean_epoch_seconds")));
    md.append("Both trainers on the same triples (fresh networks):\n\n| trainer | triples | seconds | triples/s | "
        + "load at end |\n|---|---:|---:|---:|---|\n");
    for (Map<String, Object> t : (List<Map<String, Object>>) d.get("trainers")) {
      md.append(String.format("| %s | %,d | %.1f | %,.0f | %s |%n", t.get("trainer"), (Long) t.get("triples"),
          (Double) t.get("seconds"), (Double) t.get("triples_per_second"), t.get("load_average_at_end")));
    }
    Map<String, Object> r = (Map<String, Object>) report.get("full_ranking");
    md.append(String.format("%nFull ranking of %,d users x %,d items (d = %d, top %d, training items excluded): "
            + "%.1f s; the bare matrix product of the same sizes (%d threads): %.1f s; ratio %.2f (second passes; "
            + "the first, warm-up passes took %.1f s and %.1f s).%n",
        (Long) r.get("users_ranked"), (Integer) r.get("items"), (Integer) r.get("dimension"),
        (Integer) r.get("top_k"), (Double) r.get("ranking_seconds"), (Integer) r.get("bare_product_threads"),
        (Double) r.get("bare_product_seconds"), (Double) r.get("ratio"), (Double) r.get("warm_up_ranking_seconds"),
        (Double) r.get("warm_up_bare_product_seconds")));
    return md.toString();
  }
}
