package org.aldi.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
  private final Lineage lineage;

  public RunFolder(SparkSession spark, String dir) {
    this(spark, dir, new Lineage());
  }

  private RunFolder(SparkSession spark, String dir, Lineage lineage) {
    this.spark = spark;
    this.root = new Path(dir);
    this.lineage = lineage;
  }

  /**
   * Another folder (e.g. where the embed job keeps new item vectors) read and written by the same job: it shares
   * this folder's record of the outputs read ({@link Lineage}), so outputs of both are checked together.
   */
  public RunFolder at(String dir) {
    return new RunFolder(spark, dir, lineage);
  }

  Lineage lineage() {
    return lineage;
  }

  /** Starts a new stage: forgets which outputs were read (they become the next output's "built_from"). */
  public void startStage() {
    lineage.clear();
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

  /**
   * Before a stage's output is read: it must be complete, and built from the outputs that are in the folder now
   * and from those read with it ({@link Lineage}), else a {@link StaleOutputException}.
   */
  private void requireComplete(String stage) {
    if (!isComplete(stage)) {
      throw new IllegalStateException("the run folder " + root + " has no complete '" + stage
          + "' output (no " + StageOutput.META_FILE + "): run the " + stage + " stage first");
    }
    lineage.observe(this, stage, meta(stage));
  }

  /** The metadata file of a completed stage output. */
  public JsonNode meta(String stage) {
    return json(new Path(stagePath(stage), StageOutput.META_FILE));
  }

  private JsonNode json(Path path) {
    try (InputStream in = fileSystem().open(path)) {
      return JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /** The names of the complete stage outputs in the folder (sub-folders holding a metadata file). */
  List<String> completeStages() {
    List<String> stages = new ArrayList<>();
    try {
      if (!fileSystem().exists(root)) {
        return stages;
      }
      for (FileStatus child : fileSystem().listStatus(root)) {
        String name = child.getPath().getName();
        if (child.isDirectory() && !name.startsWith(".") && !name.startsWith("_") && isComplete(name)) {
          stages.add(name);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
    stages.sort(null);
    return stages;
  }

  /**
   * Removes every output of the folder that was built from an output that is no longer there (its stage was run
   * again since), and those built from a removed one, so that the folder never holds outputs of different runs.
   *
   * @return the names of the removed outputs
   */
  List<String> removeStaleOutputs() {
    Map<String, JsonNode> metas = new LinkedHashMap<>();
    for (String stage : completeStages()) {
      metas.put(stage, meta(stage));
    }
    Set<String> stale = new TreeSet<>();
    boolean grew = true;
    while (grew) {
      grew = false;
      for (Map.Entry<String, JsonNode> e : metas.entrySet()) {
        if (stale.contains(e.getKey())) {
          continue;
        }
        for (Map.Entry<String, String> up : Lineage.builtFrom(e.getValue()).entrySet()) {
          JsonNode upstream = metas.get(up.getKey());
          String current = upstream == null ? null : upstream.path("output_id").asText(null);
          if (stale.contains(up.getKey()) || (current != null && !current.equals(up.getValue()))) {
            stale.add(e.getKey());
            grew = true;
            break;
          }
        }
      }
    }
    for (String stage : stale) {
      try {
        fileSystem().delete(stagePath(stage), true);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove the stale output " + stagePath(stage), e);
      }
    }
    return new ArrayList<>(stale);
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
    return json(new Path(stagePath(stage), file));
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
