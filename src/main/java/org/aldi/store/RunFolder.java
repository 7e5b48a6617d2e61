package org.aldi.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.aldi.config.Settings;
import org.apache.hadoop.conf.Configuration;
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
 * and {@link StageOutput#commit()} records the stage's input fingerprints in its metadata.
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
  private String currentStage;
  private Lineage currentLineage;
  private ObjectNode currentInputs;

  public RunFolder(SparkSession spark, String dir) {
    this.spark = spark;
    this.root = new Path(dir);
  }

  public SparkSession spark() {
    return spark;
  }

  public Path root() {
    return root;
  }

  public Path stagePath(String stage) {
    return new Path(root, stage);
  }

  public FileSystem fileSystem() {
    return fileSystem(root, spark.sparkContext().hadoopConfiguration());
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
    try {
      return fileSystem().exists(new Path(stagePath(stage), StageOutput.META_FILE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** True when the stage's output folder exists, complete or not. */
  public boolean exists(String stage) {
    try {
      return fileSystem().exists(stagePath(stage));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The metadata of a committed stage output, or null when there is none. */
  public JsonNode meta(String stage) {
    byte[] bytes = metaBytes(stage);
    try {
      return bytes == null ? null : JSON.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + new Path(stagePath(stage), StageOutput.META_FILE), e);
    }
  }

  /** SHA-256 of a committed stage output's metadata file (which names one write of it), or null when there is none. */
  public String metaSha256(String stage) {
    byte[] bytes = metaBytes(stage);
    return bytes == null ? null : StageOutput.sha256(bytes);
  }

  private byte[] metaBytes(String stage) {
    Path path = new Path(stagePath(stage), StageOutput.META_FILE);
    try (InputStream in = fileSystem().open(path)) {
      return in.readAllBytes();
    } catch (FileNotFoundException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /**
   * Runs a stage with its lineage entered: it may read only the outputs its lineage declares, and its output records
   * the fingerprints of its inputs, taken before it ran. A stage without a lineage just runs.
   */
  public void execute(Stage stage, Settings settings) {
    Lineage lineage = stage.lineage(settings);
    currentStage = stage.name();
    currentLineage = lineage;
    currentInputs = lineage == null ? null : StageInputs.compute(this, settings, lineage);
    try {
      stage.run(this, settings);
    } finally {
      currentStage = null;
      currentLineage = null;
      currentInputs = null;
    }
  }

  /** The input fingerprints of the stage now running, if it is the given one and declares a lineage. */
  ObjectNode inputsOf(String stage) {
    return stage.equals(currentStage) ? currentInputs : null;
  }

  private void requireDeclared(String stage) {
    if (currentLineage != null && !stage.equals(currentStage) && !currentLineage.upstream().contains(stage)) {
      throw new IllegalStateException("stage " + currentStage + " reads the '" + stage + "' output, which its lineage "
          + "does not declare (upstream " + currentLineage.upstream() + "): declare it in the stage's lineage()");
    }
  }

  private void requireComplete(String stage) {
    requireDeclared(stage);
    if (!isComplete(stage)) {
      throw new IllegalStateException("the run folder " + root + " has no complete '" + stage
          + "' output (no " + StageOutput.META_FILE + "): run the " + stage + " stage first");
    }
  }

  /** True when a completed stage wrote the named dataset (for optional datasets). */
  public boolean has(String stage, String dataset) {
    requireDeclared(stage);
    try {
      return isComplete(stage) && fileSystem().exists(new Path(stagePath(stage), dataset));
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
    requireComplete(stage);
    Path path = new Path(stagePath(stage), file);
    try (InputStream in = fileSystem().open(path)) {
      return JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /** Opens a binary file that a completed stage wrote. */
  public InputStream open(String stage, String file) {
    requireComplete(stage);
    try {
      return fileSystem().open(new Path(stagePath(stage), file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + stage + "/" + file + " in " + root, e);
    }
  }
}
