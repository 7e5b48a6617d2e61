package org.aldi.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aldi.config.Settings;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The run folder: one sub-folder per stage ("input", "split", "triples", "backbone", "model", "eval"), each
 * holding named Parquet datasets and JSON files. A stage folder counts as complete only when it holds
 * {@value StageOutput#META_FILE}, which is written last, inside a temporary folder that is then renamed.
 *
 * <p>While a stage runs under {@link #execute}, the folder knows its {@link Lineage}: reading the output of a stage
 * that the lineage does not declare is an error (so the recorded fingerprints cover everything the stage read),
 * and {@link StageOutput#commit()} records the stage's input fingerprints in its metadata, which name the outputs it
 * was built from. An output is never read with outputs of another run: reading one that was built from outputs that
 * are no longer in place is a {@link StaleOutputException}, and replacing an output removes those built from it.
 */
public final class RunFolder {
  public static final String INPUT = "input";
  public static final String SPLIT = "split";
  public static final String TRIPLES = "triples";
  public static final String BACKBONE = "backbone";
  public static final String MODEL = "model";
  public static final String EVAL = "eval";
  public static final String REPORT = "report";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SparkSession spark;
  private final Path root;
  private final RunFolder shared;
  private final Set<String> sharedStages;
  private String currentStage;
  private Lineage currentLineage;
  private ObjectNode currentInputs;

  public RunFolder(SparkSession spark, String dir) {
    this(spark, dir, null, Set.of());
  }

  private RunFolder(SparkSession spark, String dir, RunFolder shared, Set<String> sharedStages) {
    this.spark = spark;
    this.root = new Path(dir);
    this.shared = shared;
    this.sharedStages = Set.copyOf(sharedStages);
  }

  /**
   * A run folder that reads the given stages from this one and keeps every other stage in its own folder dir: runs
   * that share, for example, a split and a backbone but train different models. The shared stages are read-only
   * through it.
   */
  public RunFolder sharing(String dir, Set<String> stages) {
    return new RunFolder(spark, dir, this, stages);
  }

  /** True when the stage is read from another run folder ({@link #sharing}) and cannot be written through this one. */
  public boolean isShared(String stage) {
    return sharedStages.contains(stage);
  }

  public SparkSession spark() {
    return spark;
  }

  public Path root() {
    return root;
  }

  /**
   * The folder of a stage's output: the stage's folder in the run folder or, for a name holding a '/', the Hadoop
   * path it is (an output kept outside the run folder, such as aldi.serve.new-item-vectors).
   */
  public Path stagePath(String stage) {
    return isShared(stage) ? shared.stagePath(stage) : resolve(root, stage);
  }

  /** A stage output named as in {@link #stagePath}, next to the outputs of {@code folder}. */
  private static Path resolve(Path folder, String stage) {
    return stage.contains("/") ? new Path(stage) : new Path(folder, stage);
  }

  public FileSystem fileSystem() {
    return fileSystem(root);
  }

  FileSystem fileSystem(Path path) {
    return fileSystem(path, spark.sparkContext().hadoopConfiguration());
  }

  static FileSystem fileSystem(Path path, Configuration conf) {
    try {
      return path.getFileSystem(conf);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the file system of " + path, e);
    }
  }

  /** True when the stage's output folder exists and was committed. */
  public boolean isComplete(String stage) {
    return metaBytes(stagePath(stage)) != null;
  }

  /** True when the stage's output folder exists, complete or not. */
  public boolean exists(String stage) {
    Path path = stagePath(stage);
    try {
      return fileSystem(path).exists(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The metadata of a committed stage output, or null when there is none. */
  public JsonNode meta(String stage) {
    byte[] bytes = metaBytes(stagePath(stage));
    return bytes == null ? null : parse(bytes, stagePath(stage));
  }

  /** SHA-256 of a committed stage output's metadata file (which names one write of it), or null when there is none. */
  public String metaSha256(String stage) {
    byte[] bytes = metaBytes(stagePath(stage));
    return bytes == null ? null : StageOutput.sha256(bytes);
  }

  private byte[] metaBytes(Path output) {
    Path path = new Path(output, StageOutput.META_FILE);
    try (InputStream in = fileSystem(path).open(path)) {
      return in.readAllBytes();
    } catch (FileNotFoundException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  private static JsonNode parse(byte[] json, Path where) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse the JSON of " + where, e);
    }
  }

  /**
   * Runs a stage with its lineage entered: it may read only the outputs its lineage declares, and its output records
   * the fingerprints of its inputs, taken before it ran.
   */
  public void execute(Stage stage, Settings settings) {
    Lineage lineage = stage.lineage(settings);
    currentStage = stage.name();
    currentLineage = lineage;
    currentInputs = StageInputs.compute(this, settings, lineage);
    try (SparkProgress.Phase phase = SparkProgress.phase(spark, "stage " + stage.name())) {
      stage.run(this, settings);
    } finally {
      currentStage = null;
      currentLineage = null;
      currentInputs = null;
    }
  }

  /** The input fingerprints of the stage now running, which its output records; null outside {@link #execute}. */
  ObjectNode runningInputs() {
    return currentInputs;
  }

  private void requireDeclared(String stage) {
    if (currentLineage == null || stage.equals(currentStage)) {
      return;
    }
    for (String declared : currentLineage.upstream()) {
      if (stagePath(declared).equals(stagePath(stage))) {
        return;
      }
    }
    throw new IllegalStateException("stage " + currentStage + " reads the '" + stage + "' output, which its lineage "
        + "does not declare (upstream " + currentLineage.upstream() + "): declare it in the stage's lineage()");
  }

  /** Before a stage's output is read: it is declared, complete, and built from the outputs in place now. */
  private void requireComplete(String stage) {
    requireDeclared(stage);
    Path output = stagePath(stage);
    byte[] meta = metaBytes(output);
    if (meta == null) {
      throw new IllegalStateException("the run folder " + root + " has no complete '" + stage
          + "' output (no " + StageOutput.META_FILE + "): run the " + stage + " stage first");
    }
    requireCurrent(output, parse(meta, output));
  }

  /**
   * An output may be read only when it was built from the outputs in place now, else it belongs to another run than
   * what it would be combined with ({@link StaleOutputException}). Checked are the outputs it was built from
   * ({@link StageInputs#builtFrom}), looked up next to it, and recursively theirs; and, while a stage runs, the
   * outputs of the same names that the stage reads with it, by its input fingerprints (which covers an output kept
   * in another folder, such as new item vectors embedded with another run's model).
   */
  private void requireCurrent(Path output, JsonNode meta) {
    requireBuiltFromCurrent(output, meta, new HashSet<>());
    if (currentInputs == null) {
      return;
    }
    Map<String, String> readWith = new HashMap<>();
    StageInputs.builtFrom(currentInputs).forEach((upstream, sha) -> readWith.put(new Path(upstream).getName(), sha));
    String name = output.getName();
    for (Map.Entry<String, String> up : StageInputs.builtFrom(meta.path("inputs")).entrySet()) {
      String upstream = new Path(up.getKey()).getName();
      String read = readWith.get(upstream);
      if (read != null && !read.equals(up.getValue())) {
        throw new StaleOutputException("the '" + name + "' output read from " + output.getParent() + " was not built "
            + "from the '" + upstream + "' output read with it: they come from different runs; run '" + name
            + "' (and the stages after it) again");
      }
    }
  }

  /** Throws when an output that {@code output} was built from has been written again since, recursively. */
  private void requireBuiltFromCurrent(Path output, JsonNode meta, Set<Path> checked) {
    String name = output.getName();
    for (Map.Entry<String, String> up : StageInputs.builtFrom(meta.path("inputs")).entrySet()) {
      Path upstream = resolve(output.getParent(), up.getKey());
      byte[] upstreamMeta = metaBytes(upstream);
      if (upstreamMeta == null) {
        continue; // not there (removed, or kept in the folder of the stage that read it): nothing to compare with
      }
      if (!StageOutput.sha256(upstreamMeta).equals(up.getValue())) {
        throw new StaleOutputException("the '" + name + "' output in " + output.getParent() + " was built from an "
            + "older '" + up.getKey() + "' output: '" + up.getKey() + "' was run again after '" + name + "', so the "
            + "two come from different runs; run '" + name + "' (and the stages after it) again");
      }
      if (checked.add(upstream)) {
        requireBuiltFromCurrent(upstream, parse(upstreamMeta, upstream), checked);
      }
    }
  }

  /**
   * After a stage's output was replaced: removes the outputs next to it that were built from the replaced one, and
   * those built from a removed one, recursively, so that the folder never holds outputs of different runs. (A resumed
   * run would redo them anyway: their fingerprints name the replaced output.)
   *
   * @return the names of the removed outputs
   */
  List<String> removeBuiltFromReplaced(String stage) {
    Path replaced = stagePath(stage);
    Path folder = replaced.getParent();
    FileSystem fs = fileSystem(folder);
    Map<Path, Set<Path>> builtFrom = new LinkedHashMap<>();
    try {
      for (FileStatus child : fs.listStatus(folder)) {
        String name = child.getPath().getName();
        Path output = new Path(folder, name);
        byte[] meta = child.isDirectory() && !name.startsWith(".") ? metaBytes(output) : null;
        if (meta != null && !output.equals(replaced)) {
          Set<Path> from = new HashSet<>();
          StageInputs.builtFrom(parse(meta, output).path("inputs")).keySet().forEach(up -> from.add(resolve(folder, up)));
          builtFrom.put(output, from);
        }
      }
      Set<Path> gone = new HashSet<>(Set.of(replaced));
      List<String> removed = new ArrayList<>();
      for (boolean grew = true; grew; ) {
        grew = false;
        for (Map.Entry<Path, Set<Path>> output : builtFrom.entrySet()) {
          if (!gone.contains(output.getKey()) && !Collections.disjoint(output.getValue(), gone)) {
            gone.add(output.getKey());
            removed.add(output.getKey().getName());
            grew = true;
          }
        }
      }
      for (String name : removed) {
        fs.delete(new Path(folder, name), true);
      }
      Collections.sort(removed);
      return removed;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the outputs of " + folder + " built from " + replaced, e);
    }
  }

  /** True when a completed stage wrote the named dataset (for optional datasets). */
  public boolean has(String stage, String dataset) {
    requireDeclared(stage);
    Path path = new Path(stagePath(stage), dataset);
    try {
      return isComplete(stage) && fileSystem(path).exists(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a Parquet dataset that a completed stage wrote. */
  public Dataset<Row> read(String stage, String dataset) {
    requireComplete(stage);
    return spark.read().parquet(new Path(stagePath(stage), dataset).toString());
  }

  /** Reads a JSON file that a completed stage wrote. */
  public JsonNode readJson(String stage, String file) {
    try (InputStream in = open(stage, file)) {
      return parse(in.readAllBytes(), new Path(stagePath(stage), file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + new Path(stagePath(stage), file), e);
    }
  }

  /** Opens a binary file that a completed stage wrote. */
  public InputStream open(String stage, String file) {
    requireComplete(stage);
    Path path = new Path(stagePath(stage), file);
    try {
      return fileSystem(path).open(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }
}
