package org.aldi.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aldi.config.Settings;
import org.aldi.testing.LocalCluster;
import org.junit.jupiter.api.Test;

/**
 * The launch scripts' dry runs (DRY_RUN=1 prints the command, shell-quoted): jobs/submit.sh for local, YARN and
 * Kubernetes, and jobs/run-stage.sh. The printed words are split by bash itself, then checked: the job class of every
 * stage exists and has a main method, the deploy mode and master, the Java 17 flags for driver and executors equal the
 * pom's, every --conf file is shipped with --files and the job's arguments load as a valid configuration.
 */
class LaunchScriptsTest {
  private static final List<String> STAGES = List.of("ingest", "split", "sample", "backbone", "distill", "evaluate",
      "report", "pipeline", "embed", "recommend", "export");
  private static final String JAR = "/opt/aldi/aldi.jar";

  private record Result(int status, String output, List<String> words) {}

  /** Runs a script with DRY_RUN=1 and splits the printed command into its words as bash reads them. */
  private static Result dryRun(Map<String, String> env, String... command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("DRY_RUN", "1");
    builder.environment().put("ALDI_JAR", JAR);
    builder.environment().remove("SPARK_HOME");
    builder.environment().remove("SPARK_SUBMIT");
    builder.environment().putAll(env);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    int status = process.waitFor();
    if (status != 0) {
      return new Result(status, out, List.of());
    }
    ProcessBuilder splitter = new ProcessBuilder("bash", "-c", "eval \"words=($LINE)\"; printf '%s\\0' \"${words[@]}\"");
    splitter.environment().put("LINE", out);
    Process p = splitter.start();
    String words = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor());
    return new Result(status, out, Arrays.asList(words.split("\0")));
  }

  private static String valueAfter(List<String> words, String flag) {
    int i = words.indexOf(flag);
    assertTrue(i >= 0 && i + 1 < words.size(), "no " + flag + " in " + words);
    return words.get(i + 1);
  }

  /** The values of every "--conf key=value" of spark-submit (before the application jar). */
  private static List<String> sparkConf(List<String> words) {
    List<String> conf = new ArrayList<>();
    for (int i = 0; i < words.indexOf(JAR); i++) {
      if (words.get(i).equals("--conf")) {
        conf.add(words.get(i + 1));
      }
    }
    return conf;
  }

  private static void assertJobClass(String name) throws Exception {
    Class<?> job = Class.forName(name);
    assertTrue(Modifier.isStatic(job.getMethod("main", String[].class).getModifiers()), name);
  }

  @Test
  void submitPrintsASparkSubmitCommandForEveryTargetAndStage() throws Exception {
    Map<String, String> k8s = Map.of("K8S_MASTER", "k8s://https://127.0.0.1:6443", "ALDI_IMAGE", "aldi:test");
    for (String target : List.of("local", "yarn", "k8s")) {
      for (String stage : STAGES) {
        Result r = dryRun(k8s, "jobs/submit.sh", target, stage, "--conf", "conf/cluster.conf", "--conf",
            "conf/citeulike-a.conf", "--set", "run.dir=\"hdfs:///aldi/runs/2024-05-01\"", "--set",
            "distill.max-epochs=5");
        String what = target + " " + stage;
        assertEquals(0, r.status(), what + ": " + r.output());
        List<String> w = r.words();
        assertEquals("spark-submit", w.get(0));
        assertJobClass(valueAfter(w, "--class"));
        List<String> conf = sparkConf(w);
        assertTrue(conf.contains("spark.driver.extraJavaOptions=" + LocalCluster.java17Opens()), what + ": " + conf);
        assertTrue(conf.contains("spark.executor.extraJavaOptions=" + LocalCluster.java17Opens()), what + ": " + conf);
        List<String> job = w.subList(w.indexOf(JAR) + 1, w.size());
        Set<String> shipped = new HashSet<>();
        if (target.equals("local")) {
          assertEquals("local[2]", valueAfter(w, "--master"));
          assertEquals("client", valueAfter(w, "--deploy-mode"));
          assertFalse(w.contains("--files"));
          assertEquals(List.of("--conf", "conf/cluster.conf", "--conf", "conf/citeulike-a.conf"), job.subList(0, 4));
        } else {
          assertEquals("cluster", valueAfter(w, "--deploy-mode"), what);
          assertEquals(target.equals("yarn") ? "yarn" : "k8s://https://127.0.0.1:6443", valueAfter(w, "--master"));
          assertEquals("conf/cluster.conf,conf/citeulike-a.conf", valueAfter(w, "--files"), what);
          shipped.addAll(List.of("cluster.conf", "citeulike-a.conf"));
          assertEquals(List.of("--conf", "cluster.conf", "--conf", "citeulike-a.conf"), job.subList(0, 4),
              what + ": the job reads the shipped files from its working directory");
          if (target.equals("k8s")) {
            assertTrue(conf.contains("spark.kubernetes.container.image=aldi:test"), what);
          }
        }
        Settings settings = target.equals("local")
            ? org.aldi.config.ConfigLoader.load(List.of("conf/cluster.conf", "conf/citeulike-a.conf"),
                JobLauncher.parse(job.toArray(new String[0])).overrides())
            : AirflowDagTest.load(job, shipped, what);
        assertEquals("hdfs:///aldi/runs/2024-05-01", settings.run.dir);
        assertEquals(5, settings.distill.maxEpochs);
      }
    }
  }

  @Test
  void submitRefusesWhatItCannotRun() throws Exception {
    assertNotEquals(0, dryRun(Map.of(), "jobs/submit.sh", "yarn", "train").status(), "unknown stage");
    assertNotEquals(0, dryRun(Map.of(), "jobs/submit.sh", "mesos", "distill").status(), "unknown target");
    assertNotEquals(0, dryRun(Map.of(), "jobs/submit.sh", "yarn", "distill", "--conf", "conf/nope.conf").status(),
        "missing configuration file");
    assertNotEquals(0, dryRun(Map.of(), "jobs/submit.sh", "k8s", "distill").status(), "k8s without a master");
    assertNotEquals(0, dryRun(Map.of(), "jobs/submit.sh", "yarn", "distill", "--epochs", "3").status(),
        "an argument the jobs do not take");
  }

  @Test
  void submitDefaultsToTheClusterEnvironmentAndTheJarTheProfileBuilds() throws Exception {
    List<String> yarn = dryRun(Map.of("ALDI_JAR", ""), "jobs/submit.sh", "yarn", "distill").words();
    int jar = yarn.size() - 3;
    assertTrue(yarn.get(jar).matches(Path.of("target").toAbsolutePath() + "/aldi-spark-[^/]+-spark-submit\\.jar"),
        yarn.get(jar));
    assertEquals(List.of("--conf", "cluster.conf"), yarn.subList(jar + 1, yarn.size()));
    assertTrue(valueAfter(yarn, "--files").endsWith("conf/cluster.conf"));
  }

  @Test
  void runStagePrintsTheLocalMavenCommandForEveryStage() throws Exception {
    for (String stage : STAGES) {
      Result r = dryRun(Map.of(), "jobs/run-stage.sh", stage);
      assertEquals(0, r.status(), stage + ": " + r.output());
      String mainClass = r.words().stream().filter(x -> x.startsWith("-Dexec.mainClass=")).findFirst().orElseThrow();
      assertJobClass(mainClass.substring("-Dexec.mainClass=".length()));
    }
    assertNotEquals(0, dryRun(Map.of(), "jobs/run-stage.sh", "train").status());
  }
}
