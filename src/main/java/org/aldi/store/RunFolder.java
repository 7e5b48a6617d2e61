package org.aldi.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
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

  public Path stagePath(String stage) {
    return isShared(stage) ? shared.stagePath(stage) : new Path(root, stage);
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

  private void requireComplete(String stage) {
    if (!isComplete(stage)) {
      throw new IllegalStateException("the run folder " + root + " has no complete '" + stage
          + "' output (no " + StageOutput.META_FILE + "): run the " + stage + " stage first");
    }
  }

  /** True when a completed stage wrote the named dataset (for optional datasets). */
  public boolean has(String stage, String dataset) {
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
