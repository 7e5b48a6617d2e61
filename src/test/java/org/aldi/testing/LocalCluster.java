package org.aldi.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * spark-submit on this machine without a Spark distribution. It builds, under {@link #DIR}:
 * <ul>
 *   <li>a SPARK_HOME whose {@code jars/} links every jar of the project's runtime class path
 *       (target/runtime-classpath.txt, which the build writes), as a Spark distribution's jars/ holds Spark's;
 *   <li>the application jar: the project's compiled classes (target/classes).
 * </ul>
 * A submission runs what bin/spark-submit runs: Spark's own launcher ({@code org.apache.spark.launcher.Main})
 * builds the driver's command from the spark-submit arguments, which is then started with SPARK_HOME set. The master
 * is {@value #MASTER}: a standalone Master and {@value #EXECUTORS} Workers inside the driver JVM, each launching its
 * executor as a separate JVM from SPARK_HOME; the executors fetch the application jar from the driver, like on a
 * real cluster. Every JVM listens on loopback only.
 */
public final class LocalCluster {
  public static final Path DIR = Path.of("target", "cluster").toAbsolutePath();
  public static final int EXECUTORS = 2;
  /** Two workers with one core and 1.5 GB each (an executor takes 1 GB of heap, ND4J as much off-heap at most). */
  public static final String MASTER = "local-cluster[" + EXECUTORS + ",1,1536]";
  private static final String EXECUTOR_CLASS = "org.apache.spark.executor.CoarseGrainedExecutorBackend";
  private static boolean homeBuilt;
  private static boolean jarBuilt;

  private LocalCluster() {}

  /** The Java 17 flags that Spark needs in every JVM: the pom's spark.java17.opens, passed on by Surefire. */
  public static String java17Opens() {
    String opens = System.getProperty("java17.opens");
    if (opens == null || !opens.contains("--add-opens")) {
      fail("the system property java17.opens (set by Surefire from the pom's spark.java17.opens) is missing");
    }
    return opens;
  }

  /** The SPARK_HOME under target/ (made afresh once per test JVM, so it follows the current dependencies). */
  public static synchronized Path sparkHome() {
    Path home = DIR.resolve("spark-home");
    try {
      if (!homeBuilt) {
        Path classpath = Path.of("target", "runtime-classpath.txt");
        if (!Files.isRegularFile(classpath)) {
          fail(classpath + " is missing: the build writes it (maven-dependency-plugin, generate-test-resources)");
        }
        Path building = DIR.resolve("spark-home-building");
        deleteTree(building);
        Files.createDirectories(building.resolve("jars"));
        for (String jar : Files.readString(classpath).trim().split(java.io.File.pathSeparator)) {
          Path target = Path.of(jar);
          Files.createSymbolicLink(building.resolve("jars").resolve(target.getFileName()), target);
        }
        deleteTree(home);
        Files.move(building, home);
        homeBuilt = true;
      }
      return home;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The application jar: target/classes (made afresh once per test JVM, so it holds the current classes). */
  public static synchronized Path appJar() {
    Path jar = DIR.resolve("aldi-app.jar");
    if (jarBuilt) {
      return jar;
    }
    Path classes = Path.of("target", "classes").toAbsolutePath();
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    try {
      Files.createDirectories(DIR);
      Path building = DIR.resolve("aldi-app.jar.tmp");
      try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(building), manifest);
           Stream<Path> files = Files.walk(classes)) {
        for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
          out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
          Files.copy(file, out);
          out.closeEntry();
        }
      }
      Files.move(building, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      jarBuilt = true;
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The spark-submit arguments of a job on the cluster (client deploy mode: the driver runs here), then the job's own
   * arguments. The Java 17 flags go to the driver and the executors, the executors run ND4J single-threaded as the
   * tests do, and the native libraries of ND4J are unpacked once into the project's cache.
   */
  public static List<String> submitArguments(String jobClass, List<String> jobArguments) {
    String jvm = java17Opens() + " -Dorg.bytedeco.javacpp.cachedir=" + Path.of(".javacpp-cache").toAbsolutePath();
    List<String> args = new ArrayList<>(List.of(
        "--master", MASTER, "--deploy-mode", "client", "--class", jobClass,
        "--driver-memory", "2g", "--executor-memory", "1g",
        "--conf", "spark.driver.extraJavaOptions=" + jvm,
        "--conf", "spark.executor.extraJavaOptions=" + jvm,
        "--conf", "spark.executorEnv.OMP_NUM_THREADS=1",
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.ui.enabled=false",
        // as the local test session (TestSpark), so that the local and cluster runs partition alike
        "--conf", "spark.sql.shuffle.partitions=4",
        appJar().toString()));
    args.addAll(jobArguments);
    return args;
  }

  /** Submits a job as bin/spark-submit does; the driver's output goes to the log file. */
  public static Submission submit(String jobClass, List<String> jobArguments, Path log) {
    Path home = sparkHome();
    List<String> launcher = new ArrayList<>(List.of(javaCommand(), "-Xmx128m", "-cp", home.resolve("jars") + "/*",
        "org.apache.spark.launcher.Main", "org.apache.spark.deploy.SparkSubmit"));
    launcher.addAll(submitArguments(jobClass, jobArguments));
    try {
      ProcessBuilder builder = new ProcessBuilder(launcher).redirectError(ProcessBuilder.Redirect.INHERIT);
      environment(builder.environment(), home);
      Process process = builder.start();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      process.getInputStream().transferTo(out);
      if (process.waitFor() != 0) {
        fail("Spark's launcher failed: " + out.toString(StandardCharsets.UTF_8));
      }
      // the launcher prints the driver's command as NUL-separated words, as bin/spark-class reads it
      // (it starts with a NUL and a newline, which bin/spark-class's read loop skips)
      String words = out.toString(StandardCharsets.UTF_8).replaceFirst("^[\\s\\x00]+", "");
      List<String> command = Arrays.asList(words.split("\0"));
      Files.createDirectories(log.getParent());
      ProcessBuilder driver = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      environment(driver.environment(), home);
      return new Submission(driver.start(), log, command);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void environment(Map<String, String> env, Path home) {
    env.put("SPARK_HOME", home.toString());
    env.put("SPARK_SCALA_VERSION", "2.12");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("OMP_NUM_THREADS", "1");
    env.remove("SPARK_CONF_DIR");
    env.remove("HADOOP_CONF_DIR");
  }

  private static String javaCommand() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static void deleteTree(Path root) throws IOException {
    if (Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /** A running driver (and the cluster inside it). */
  public static final class Submission implements AutoCloseable {
    private final Process driver;
    private final Path log;
    private final List<String> command;

    Submission(Process driver, Path log, List<String> command) {
      this.driver = driver;
      this.log = log;
      this.command = command;
    }

    /** The driver's command line as Spark's launcher built it. */
    public List<String> command() {
      return command;
    }

    public String log() {
      try {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The logs (stderr) of this application's executors, which the workers keep under SPARK_HOME/work/. */
    public List<String> executorLogs() {
      Matcher app = Pattern.compile("Granted executor ID (app-[0-9-]+)/").matcher(log());
      if (!app.find()) {
        fail("no executor was granted:\n" + tail());
      }
      try (Stream<Path> executors = Files.list(sparkHome().resolve("work").resolve(app.group(1)))) {
        List<String> logs = new ArrayList<>();
        for (Path executor : executors.sorted().toList()) {
          logs.add(Files.readString(executor.resolve("stderr"), StandardCharsets.UTF_8));
        }
        return logs;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The executor JVMs now running (children of the driver, which hosts the workers). */
    public List<ProcessHandle> executors() {
      return driver.descendants()
          .filter(p -> p.info().commandLine().map(c -> c.contains(EXECUTOR_CLASS)).orElse(false)).toList();
    }

    /** Waits until the driver's log contains the text; fails if the driver ends first or the time runs out. */
    public void awaitLog(String text, Duration timeout) throws InterruptedException {
      long end = System.nanoTime() + timeout.toNanos();
      while (!log().contains(text)) {
        if (!driver.isAlive()) {
          fail("the driver ended (status " + driver.exitValue() + ") before logging \"" + text + "\":\n" + tail());
        }
        if (System.nanoTime() > end) {
          fail("no \"" + text + "\" in the driver's log after " + timeout + ":\n" + tail());
        }
        Thread.sleep(200);
      }
    }

    /** Waits for the driver to end and returns its exit status; kills it when the time runs out. */
    public int waitFor(Duration timeout) throws InterruptedException {
      if (!driver.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        close();
        fail("the driver did not end within " + timeout + ":\n" + tail());
      }
      return driver.exitValue();
    }

    /** Kills the driver and every process it started at once (SIGKILL), as a crash of its machine would. */
    public void crash() throws InterruptedException {
      List<ProcessHandle> children = driver.descendants().toList();
      driver.destroyForcibly().waitFor();
      children.forEach(ProcessHandle::destroyForcibly);
    }

    /** The last lines of the driver's log, for failure messages. */
    public String tail() {
      String text = log();
      return text.substring(Math.max(0, text.length() - 6000));
    }

    @Override
    public void close() throws InterruptedException {
      if (driver.isAlive()) {
        crash();
      }
    }
  }
}
