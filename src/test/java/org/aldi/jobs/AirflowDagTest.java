package org.aldi.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aldi.config.ConfigLoader;
import org.aldi.config.Settings;
import org.aldi.testing.LocalCluster;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Checks the Airflow DAG (jobs/airflow/aldi_dag.py) against the code. Airflow is not installable here, so the DAG
 * file runs under python3 with recorders in place of DAG and SparkSubmitOperator (src/test/python/
 * airflow_dag_tasks.py, which also rejects keyword arguments the real classes do not take). Then: every job class
 * exists and has a main method; the tasks are the pipeline's stages in order, each after the previous; the job
 * arguments, rendered for a run date, parse as JobLauncher parses them and load as a valid configuration (every
 * --set key known to reference.conf, every value valid, every --conf file shipped with --files and present in conf/);
 * input and output paths carry the run date; tasks retry; the Java 17 flags equal the pom's. Skipped without python3,
 * except under ALDI_CI=1 (set by .ci/run), where that is a failure.
 */
class AirflowDagTest {
  static final Path DAG = Path.of("jobs", "airflow", "aldi_dag.py");
  private static final String RUN_DATE = "2024-05-01";
  private static final Pattern TEMPLATE = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}");
  /** The pipeline's stages in order, as PipelineJob runs them. */
  private static final List<String> PIPELINE = List.of("org.aldi.jobs.IngestJob", "org.aldi.jobs.SplitJob",
      "org.aldi.jobs.SampleJob", "org.aldi.jobs.BackboneJob", "org.aldi.jobs.DistillJob", "org.aldi.jobs.EvaluateJob",
      "org.aldi.jobs.ReportJob");

  @Test
  void dagMatchesTheJobsAndTheirArguments() throws Exception {
    JsonNode dag = tasksOf(DAG);
    assertEquals(1, dag.get("dags").size());
    assertTrue(dag.get("dags").get(0).path("default_args").path("retries").asInt() >= 1, "tasks retry");
    Set<String> templated = new HashSet<>();
    dag.get("templated").forEach(f -> templated.add(f.asText()));

    List<String> classes = new ArrayList<>();
    String previous = null;
    for (JsonNode task : dag.get("tasks")) {
      String id = task.get("task_id").asText();
      String jobClass = task.get("java_class").asText();
      classes.add(jobClass);
      assertMain(jobClass);
      assertEquals(previous == null ? List.of() : List.of(previous), strings(task.get("upstream")),
          id + " runs after the previous stage");
      previous = id;
      task.fields().forEachRemaining(field -> {
        if (!templated.contains(field.getKey())) {
          assertFalse(field.getValue().toString().contains("{{"), id + ": " + field.getKey()
              + " is not a templated field of SparkSubmitOperator, so {{ ... }} in it would stay as it is");
        }
      });

      assertEquals(LocalCluster.java17Opens(), task.get("conf").get("spark.driver.extraJavaOptions").asText());
      assertEquals(LocalCluster.java17Opens(), task.get("conf").get("spark.executor.extraJavaOptions").asText());
      assertEquals("cluster", task.get("conf").get("spark.submit.deployMode").asText());

      List<String> args = new ArrayList<>();
      for (JsonNode arg : task.get("application_args")) {
        args.add(render(arg.asText()));
      }
      Settings settings = load(args, shippedFiles(render(task.get("files").asText())), id);
      assertTrue(settings.run.dir.contains(RUN_DATE), id + ": run folder of the run date: " + settings.run.dir);
      assertTrue(settings.data.interactionsPath.contains(RUN_DATE), id + ": dated input " + settings.data.interactionsPath);
      assertTrue(settings.data.contentPath.contains(RUN_DATE), id + ": dated input " + settings.data.contentPath);
      assertTrue(settings.run.resume, id + ": a retried task resumes rather than redoing complete stages");
    }
    assertEquals(PIPELINE, classes, "one task per stage, in pipeline order");
  }

  /** The DAG's tasks as JSON, from running the DAG file under python3 with the recorders. */
  static JsonNode tasksOf(Path dagFile) throws Exception {
    String python = onPath("python3");
    if (python == null) {
      if ("1".equals(System.getenv("ALDI_CI"))) {
        fail("python3 is not on the PATH under ALDI_CI=1 (.ci/run installs it)");
      }
      Assumptions.abort("python3 is not on the PATH");
    }
    Process process = new ProcessBuilder(python, "src/test/python/airflow_dag_tasks.py", dagFile.toString())
        .redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.waitFor(), "the DAG file does not run:\n" + out);
    return new ObjectMapper().readTree(out);
  }

  private static void assertMain(String jobClass) {
    try {
      Method main = Class.forName(jobClass).getMethod("main", String[].class);
      assertTrue(Modifier.isStatic(main.getModifiers()) && Modifier.isPublic(main.getModifiers()),
          jobClass + ".main is public static");
    } catch (ClassNotFoundException e) {
      fail("the DAG names a job class that does not exist: " + jobClass);
    } catch (NoSuchMethodException e) {
      fail(jobClass + " has no main(String[])");
    }
  }

  /** Renders Airflow's {{ ds }} for the test's run date; any other template variable fails the test. */
  private static String render(String text) {
    Matcher m = TEMPLATE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      switch (m.group(1)) {
        case "ds" -> m.appendReplacement(out, RUN_DATE);
        case "ds_nodash" -> m.appendReplacement(out, RUN_DATE.replace("-", ""));
        default -> fail("unexpected template variable: " + m.group());
      }
    }
    m.appendTail(out);
    assertFalse(out.toString().contains("{{"), "unrendered template in " + text);
    return out.toString();
  }

  /** The file names that --files ships (comma-separated paths). */
  private static Set<String> shippedFiles(String files) {
    Set<String> names = new HashSet<>();
    for (String path : files.split(",")) {
      names.add(Path.of(path.trim()).getFileName().toString());
    }
    return names;
  }

  /**
   * Parses job arguments as the job does and loads the configuration, with each --conf file (a name shipped with
   * --files, so it lands in the driver's working directory) taken from the project's conf/.
   */
  static Settings load(List<String> args, Set<String> shipped, String what) {
    JobLauncher.Arguments parsed = JobLauncher.parse(args.toArray(new String[0]));
    List<String> files = new ArrayList<>();
    for (String name : parsed.confFiles()) {
      assertTrue(shipped.contains(name), what + ": --conf " + name + " is not shipped with --files " + shipped);
      Path local = Path.of("conf", name);
      assertTrue(Files.isRegularFile(local), what + ": no " + local + " in the project");
      files.add(local.toString());
    }
    return ConfigLoader.load(files, parsed.overrides());
  }

  static String onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }

  private static List<String> strings(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return list;
  }
}
