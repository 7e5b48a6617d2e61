package org.aldi.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aldi.store.RunFolder;
import org.aldi.store.StageOutput;
import org.aldi.testing.CiteULikeSlice;
import org.aldi.testing.LocalCluster;
import org.aldi.testing.MiniHdfs;
import org.aldi.testing.TestSpark;
import org.aldi.testing.Vectors;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The slice pipeline ({@link CiteULikeSlice}) submitted the way spark-submit does to a Spark cluster of separate
 * executor JVMs ({@link LocalCluster}: local-cluster with two workers of one core), reading its inputs from and
 * writing its run folder to an in-process HDFS ({@link MiniHdfs}); distillation with parameter averaging (the
 * default trainer) over the two executors.
 *
 * <p><b>What "equal" means here.</b> The local run (Spark local[2], the shared slice run) and the cluster run have
 * the same seed, configuration and partitioning (2 task slots either way, so DL4J averages two workers in both).
 * Everything random in the pipeline is a seeded hash of ids, so ingest's interactions, the split and the triples
 * must be identical row for row. Floating-point results (content vectors, ALS factors, student vectors, metrics) can
 * differ only by the order in which Spark combines partial sums of tasks that finish in a different order (with two
 * partial results the sum is the same either way, so on this machine they come out bit-identical); they are
 * bounded by {@link #VECTOR_TOLERANCE} (relative to the largest entry: float rounding) and the metrics by
 * {@link #METRIC_TOLERANCE} (absolute; 0.002 is about 1/500 of the slice's overall NDCG@20 and less than one
 * test user's hit among the ~500 evaluated users of a task: a difference in the last float bit of a score can swap two
 * items in a top 20). The same bounds hold for the run that loses an executor in the middle of distillation: the lost
 * tasks are recomputed from the same triples and the same broadcast parameters.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterRunTest {
  static final double VECTOR_TOLERANCE = 1e-5;
  static final double METRIC_TOLERANCE = 0.002;
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(12);
  private static final String[] STAGES = {RunFolder.INPUT, RunFolder.SPLIT, RunFolder.TRIPLES, RunFolder.BACKBONE,
      RunFolder.MODEL, RunFolder.EVAL, RunFolder.REPORT};

  private MiniHdfs hdfs;
  private RunFolder local;
  private String clusterRun;

  @BeforeAll
  void start() throws IOException {
    local = CiteULikeSlice.run();
    hdfs = new MiniHdfs(LocalCluster.DIR.resolve("hdfs"));
    FileSystem fs = hdfs.fileSystem();
    fs.copyFromLocalFile(new Path(CiteULikeSlice.usersFile().toString()), new Path(hdfs.uri() + "/data/users.dat"));
    fs.copyFromLocalFile(new Path("src/main/data/citeulike-a/item-tag.dat.gz"),
        new Path(hdfs.uri() + "/data/item-tag.dat.gz"));
    clusterRun = hdfs.uri() + "/runs/cluster";
  }

  @AfterAll
  void stop() {
    if (hdfs != null) {
      hdfs.close();
    }
  }

  /** PipelineJob's arguments: the slice's configuration, inputs on HDFS, the run folder given. */
  private List<String> pipelineArguments(String runDir, String... extra) {
    List<String> args = new ArrayList<>(List.of("--conf", CiteULikeSlice.CONF));
    List<String> sets = new ArrayList<>(CiteULikeSlice.sizes());
    sets.add("run.dir=\"" + runDir + "\"");
    sets.add("data.interactions.path=\"" + hdfs.uri() + "/data/users.dat\"");
    sets.add("data.content.path=\"" + hdfs.uri() + "/data/item-tag.dat.gz\"");
    sets.addAll(List.of(extra));
    for (String set : sets) {
      args.add("--set");
      args.add(set);
    }
    return args;
  }

  private RunFolder folder(String dir) {
    return new RunFolder(TestSpark.get(), dir);
  }

  @Test
  @Order(1)
  void pipelineOnTheClusterAndHdfsMatchesTheLocalRun() throws Exception {
    java.nio.file.Path log = LocalCluster.DIR.resolve("cluster-run.log");
    try (LocalCluster.Submission run = LocalCluster.submit(PipelineJob.class.getName(),
        pipelineArguments(clusterRun), log)) {
      assertEquals(0, run.waitFor(RUN_TIMEOUT), "the cluster run failed:\n" + run.tail());
      String text = run.log();
      assertTrue(text.contains("Starting a local Spark cluster with " + LocalCluster.EXECUTORS + " workers"), text);
      assertTrue(text.contains("Added JAR file:" + LocalCluster.appJar()), "the application jar is served to executors");
      // each executor JVM (its own log, in the worker's folder) fetched the application jar and ran tasks
      List<String> executorLogs = run.executorLogs();
      assertEquals(LocalCluster.EXECUTORS, executorLogs.size());
      for (String executorLog : executorLogs) {
        assertTrue(executorLog.matches("(?s).*Fetching spark://\\S+/jars/aldi-app\\.jar.*"), "fetched the jar");
        assertTrue(executorLog.contains("Running task"), "ran tasks");
      }
    }
    RunFolder cluster = folder(clusterRun);
    for (String stage : STAGES) {
      assertTrue(cluster.isComplete(stage), stage + " is complete on HDFS");
    }
    // the inputs were read from HDFS (the source fingerprints of ingest name them) and nothing else was read
    for (JsonNode source : cluster.meta(RunFolder.INPUT).get("inputs").get("sources")) {
      assertTrue(source.get("path").asText().startsWith(hdfs.uri() + "/data/"), source.toString());
      assertTrue(source.get("bytes").asLong() > 0);
    }
    assertOnlyStageFolders(cluster);

    assertSameRows(local, cluster, RunFolder.INPUT, "interactions");
    for (String part : new String[] {"train", "warm_val", "warm_test", "cold_val", "cold_test", "item_role"}) {
      assertSameRows(local, cluster, RunFolder.SPLIT, part);
    }
    assertSameRows(local, cluster, RunFolder.TRIPLES, "triples");
    assertEquals(local.readJson(RunFolder.SPLIT, "summary.json"), cluster.readJson(RunFolder.SPLIT, "summary.json"));
    Map<String, Double> deviation = new LinkedHashMap<>();
    deviation.put("input/item_content", vectorDeviation(local, cluster, RunFolder.INPUT, "item_content", "item",
        "features"));
    deviation.put("backbone/user_factors", vectorDeviation(local, cluster, RunFolder.BACKBONE, "user_factors", "id",
        "features"));
    deviation.put("backbone/item_factors", vectorDeviation(local, cluster, RunFolder.BACKBONE, "item_factors", "id",
        "features"));
    deviation.put("model/student_users", vectorDeviation(local, cluster, RunFolder.MODEL, "student_users", "user",
        "vector"));
    deviation.put("model/student_items", vectorDeviation(local, cluster, RunFolder.MODEL, "student_items", "item",
        "vector"));
    System.out.println("cluster vs local run, largest difference relative to the largest entry: " + deviation);
    deviation.forEach((what, d) -> assertTrue(d <= VECTOR_TOLERANCE, what + " differs by " + d));
    printMetrics("local run (local[2])", local);
    printMetrics("cluster run (" + LocalCluster.MASTER + ", HDFS)", cluster);
    assertMetricsClose(local, cluster);
  }

  @Test
  @Order(2)
  void survivesALostExecutorInDistillationAndResumesAfterADriverCrash() throws Exception {
    RunFolder cluster = folder(clusterRun);
    assertTrue(cluster.isComplete(RunFolder.REPORT), "needs the undisturbed cluster run of the first test");
    FileSystem fs = hdfs.fileSystem();
    String faultsRun = hdfs.uri() + "/runs/faults";
    FileUtil.copy(fs, new Path(clusterRun), fs, new Path(faultsRun), false, fs.getConf());
    RunFolder faults = folder(faultsRun);
    for (String stage : new String[] {RunFolder.MODEL, RunFolder.EVAL, RunFolder.REPORT}) {
      fs.delete(faults.stagePath(stage), true);
    }
    // what a crash in the middle of distillation leaves: a temporary folder, and a model folder without metadata
    writeFile(fs, new Path(faultsRun + "/" + StageOutput.TEMP_PREFIX + "model-crashed/network.zip"));
    writeFile(fs, new Path(faultsRun + "/model/student_users/part-00000.parquet"));
    Map<String, byte[]> upstreamMetas = metas(fs, faults, RunFolder.INPUT, RunFolder.SPLIT, RunFolder.TRIPLES,
        RunFolder.BACKBONE);

    // 1. resume: ingest .. backbone are up to date and skipped; distillation runs and loses an executor
    java.nio.file.Path log = LocalCluster.DIR.resolve("faults-run.log");
    try (LocalCluster.Submission run = LocalCluster.submit(PipelineJob.class.getName(),
        pipelineArguments(faultsRun, "run.if-exists=resume"), log)) {
      run.awaitLog("stage model: start", RUN_TIMEOUT);
      run.awaitLog("distill: epoch   0", RUN_TIMEOUT);
      // epoch 1's parameter averaging starts now, on both executors
      List<ProcessHandle> executors = run.executors();
      assertEquals(LocalCluster.EXECUTORS, executors.size(), "executor JVMs: " + executors);
      ProcessHandle victim = executors.get(0);
      assertTrue(victim.destroyForcibly(), "SIGKILL to executor JVM " + victim.pid());
      assertFalse(faults.isComplete(RunFolder.MODEL), "the executor died before distillation committed");
      run.awaitLog("stage model: done", RUN_TIMEOUT);
      String text = run.log();
      assertTrue(text.contains("Lost executor"), "the driver saw the executor go");
      for (String stage : new String[] {RunFolder.INPUT, RunFolder.SPLIT, RunFolder.TRIPLES, RunFolder.BACKBONE}) {
        assertTrue(text.contains("stage " + stage + ": output complete and up to date, skipped"), stage + " skipped");
      }
      assertTrue(text.contains("stage model: runs, because its folder has no " + StageOutput.META_FILE),
          "the model folder without metadata is not taken for a complete output");
      // 2. the driver crashes (SIGKILL, with its executors) in the middle of evaluation
      run.awaitLog("stage eval: start", RUN_TIMEOUT);
      run.crash();
    }
    assertTrue(faults.isComplete(RunFolder.MODEL));
    assertFalse(faults.isComplete(RunFolder.EVAL));
    metas(fs, faults, upstreamMetas.keySet().toArray(new String[0]))
        .forEach((stage, meta) -> assertArrayEquals(upstreamMetas.get(stage), meta, stage + " was not written again"));
    Map<String, byte[]> beforeRestart = metas(fs, faults, RunFolder.INPUT, RunFolder.SPLIT, RunFolder.TRIPLES,
        RunFolder.BACKBONE, RunFolder.MODEL);

    // 3. the restarted run skips everything up to distillation and redoes evaluation and the report
    try (LocalCluster.Submission run = LocalCluster.submit(PipelineJob.class.getName(),
        pipelineArguments(faultsRun, "run.if-exists=resume"), LocalCluster.DIR.resolve("resumed-run.log"))) {
      assertEquals(0, run.waitFor(RUN_TIMEOUT), "the resumed run failed:\n" + run.tail());
      assertTrue(run.log().contains("stage model: output complete and up to date, skipped"));
    }
    metas(fs, faults, beforeRestart.keySet().toArray(new String[0]))
        .forEach((stage, meta) -> assertArrayEquals(beforeRestart.get(stage), meta, stage + " was skipped"));
    for (String stage : STAGES) {
      assertTrue(faults.isComplete(stage), stage + " is complete");
    }
    assertOnlyStageFolders(faults);
    printMetrics("cluster run that lost an executor and its driver", faults);
    assertMetricsClose(cluster, faults);
    double students = vectorDeviation(cluster, faults, RunFolder.MODEL, "student_items", "item", "vector");
    assertTrue(students <= VECTOR_TOLERANCE, "student item vectors differ by " + students);
  }

  private static void writeFile(FileSystem fs, Path path) throws IOException {
    try (var out = fs.create(path, true)) {
      out.write(new byte[] {1, 2, 3});
    }
  }

  private static Map<String, byte[]> metas(FileSystem fs, RunFolder run, String... stages) throws IOException {
    Map<String, byte[]> metas = new LinkedHashMap<>();
    for (String stage : stages) {
      try (InputStream in = fs.open(new Path(run.stagePath(stage), StageOutput.META_FILE))) {
        metas.put(stage, in.readAllBytes());
      }
    }
    return metas;
  }

  /** The run folder holds the stage folders and nothing else: no temporary folder is left. */
  private static void assertOnlyStageFolders(RunFolder run) throws IOException {
    List<String> names = new ArrayList<>();
    for (FileStatus status : run.fileSystem().listStatus(run.root())) {
      names.add(status.getPath().getName());
    }
    names.sort(null);
    List<String> expected = new ArrayList<>(Arrays.asList(STAGES));
    expected.sort(null);
    assertEquals(expected, names);
  }

  private static void assertSameRows(RunFolder a, RunFolder b, String stage, String dataset) {
    Dataset<Row> x = a.read(stage, dataset);
    Dataset<Row> y = b.read(stage, dataset);
    long rows = x.count();
    assertEquals(rows, y.count(), stage + "/" + dataset + " rows");
    assertEquals(0, x.exceptAll(y).count(), stage + "/" + dataset + " rows of one run missing in the other");
    assertTrue(rows > 0, stage + "/" + dataset + " is not empty");
  }

  /** Largest |x - y| over all entries of the vectors of equal ids, relative to the largest |x|. */
  static double vectorDeviation(RunFolder a, RunFolder b, String stage, String dataset, String id, String vector) {
    Map<Integer, float[]> x = vectors(a.read(stage, dataset), id, vector);
    Map<Integer, float[]> y = vectors(b.read(stage, dataset), id, vector);
    assertEquals(x.keySet(), y.keySet(), stage + "/" + dataset + " ids");
    double largest = 0;
    double difference = 0;
    for (Map.Entry<Integer, float[]> e : x.entrySet()) {
      float[] u = e.getValue();
      float[] v = y.get(e.getKey());
      for (int k = 0; k < u.length; k++) {
        largest = Math.max(largest, Math.abs(u[k]));
        difference = Math.max(difference, Math.abs(u[k] - v[k]));
      }
    }
    return difference / largest;
  }

  private static Map<Integer, float[]> vectors(Dataset<Row> data, String id, String vector) {
    Map<Integer, float[]> map = new HashMap<>();
    for (Row r : data.select(id, vector).collectAsList()) {
      map.put(r.getInt(0), Vectors.floats(r.getList(1)));
    }
    return map;
  }

  private static void assertMetricsClose(RunFolder expected, RunFolder actual) {
    JsonNode x = expected.readJson(RunFolder.EVAL, "metrics.json");
    JsonNode y = actual.readJson(RunFolder.EVAL, "metrics.json");
    for (String task : new String[] {"overall", "warm", "cold"}) {
      for (String metric : new String[] {"precision@20", "recall@20", "ndcg@20"}) {
        double a = x.get(task).get(metric).asDouble();
        double b = y.get(task).get(metric).asDouble();
        assertTrue(Math.abs(a - b) <= METRIC_TOLERANCE, task + " " + metric + ": " + a + " vs " + b);
      }
    }
  }

  private static void printMetrics(String label, RunFolder run) {
    JsonNode m = run.readJson(RunFolder.EVAL, "metrics.json");
    StringBuilder text = new StringBuilder(label + ":");
    for (String task : new String[] {"overall", "warm", "cold"}) {
      text.append(String.format("  %s P@20 %.6f R@20 %.6f NDCG@20 %.6f", task, m.get(task).get("precision@20")
          .asDouble(), m.get(task).get("recall@20").asDouble(), m.get(task).get("ndcg@20").asDouble()));
    }
    System.out.println(text);
  }
}
