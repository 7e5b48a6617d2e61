package org.aldi.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.aldi.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one stage's output atomically: everything goes to a hidden temporary folder next to the final one;
 * {@link #commit()} writes the metadata file last and then renames the folder into place. A crash before the
 * commit leaves only a ".tmp-" folder, never a half result under the stage's name; the next write of the same stage
 * removes such leftovers. The metadata holds the configuration and its hash, the row counts, the code version and,
 * when the stage runs under {@link RunFolder#execute}, its input fingerprints ({@link StageInputs}), which name the
 * outputs it was built from. Replacing an output removes the outputs built from the old one.
 */
public final class StageOutput {
  public static final String META_FILE = "_aldi_meta.json";
  /** Name prefix of the temporary folders, which never count as output. */
  public static final String TEMP_PREFIX = ".tmp-";
  private static final Logger LOG = LoggerFactory.getLogger(StageOutput.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RunFolder run;
  private final String stage;
  private final Settings settings;
  private final Path target;
  private final Path temp;
  private final FileSystem fs;
  private final Map<String, Long> rowCounts = new LinkedHashMap<>();

  private StageOutput(RunFolder run, String stage, Settings settings) {
    this.run = run;
    this.stage = stage;
    this.settings = settings;
    this.target = run.stagePath(stage);
    this.temp = new Path(target.getParent(), TEMP_PREFIX + target.getName() + "-" + UUID.randomUUID());
    this.fs = run.fileSystem(target);
  }

  /** What a stage writes into its output. */
  @FunctionalInterface
  public interface Writer {
    void write(StageOutput out) throws Exception;
  }

  /**
   * Writes a stage's output and commits it. On any failure the temporary folder is removed and the error
   * rethrown; an error of one of the clear types, wrapped by Spark on its way from a task to the driver, is
   * unwrapped so that the user sees its own message.
   */
  @SafeVarargs
  public static void write(RunFolder run, String stage, Settings settings, Writer writer,
      Class<? extends RuntimeException>... clearErrors) {
    StageOutput out = begin(run, stage, settings);
    try {
      writer.write(out);
      out.commit();
    } catch (Exception e) { // Spark's SparkException is checked in Java but thrown undeclared
      out.abort();
      for (Class<? extends RuntimeException> type : clearErrors) {
        RuntimeException clear = SparkErrors.causeOfType(e, type);
        if (clear != null) {
          throw clear;
        }
      }
      if (e instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException("stage " + stage + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Starts a stage's output; fails at once if it exists and the run's policy is "fail". Removes the temporary
   * folders that an interrupted earlier write of this stage left (one writer per run folder).
   */
  public static StageOutput begin(RunFolder run, String stage, Settings settings) {
    if (run.isShared(stage)) {
      throw new IllegalStateException("stage " + stage + " of " + run.root() + " is shared from "
          + run.stagePath(stage) + " and cannot be written there");
    }
    Path target = run.stagePath(stage);
    try {
      FileSystem fs = run.fileSystem(target);
      if (!settings.run.overwrite && fs.exists(target)) {
        throw new IllegalStateException("output " + target
            + " already exists and aldi.run.if-exists = fail; remove it or set aldi.run.if-exists = overwrite");
      }
      if (fs.exists(target.getParent())) {
        String leftover = TEMP_PREFIX + target.getName() + "-";
        for (FileStatus left : fs.listStatus(target.getParent(), p -> p.getName().startsWith(leftover))) {
          fs.delete(left.getPath(), true);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new StageOutput(run, stage, settings);
  }

  /** Writes a Parquet dataset and records its row count (counted by the caller, who usually knows it). */
  public void writeParquet(String name, Dataset<Row> data, long rows) {
    data.write().mode(SaveMode.Overwrite).parquet(new Path(temp, name).toString());
    rowCounts.put(name, rows);
  }

  /** Writes a Parquet dataset, counting its rows after the write (one extra, cheap pass over Parquet). */
  public long writeParquet(String name, Dataset<Row> data) {
    String path = new Path(temp, name).toString();
    data.write().mode(SaveMode.Overwrite).parquet(path);
    long rows = run.spark().read().parquet(path).count();
    rowCounts.put(name, rows);
    return rows;
  }

  /** A Parquet dataset written to this output before the commit, read back (e.g. to summarise it). */
  public Dataset<Row> readWritten(String name) {
    return run.spark().read().parquet(new Path(temp, name).toString());
  }

  public void writeJson(String name, Object value) {
    try {
      writeBytes(name, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(value));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void writeBytes(String name, byte[] bytes) {
    try (OutputStream out = fs.create(new Path(temp, name), true)) {
      out.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + name + " of stage " + stage, e);
    }
  }

  /** Opens a file in the temporary folder for a writer that streams (for example a model zip). */
  public OutputStream create(String name) {
    try {
      return fs.create(new Path(temp, name), true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes the metadata file and moves the folder into place, replacing an older output; then removes the outputs
   * next to it that were built from an older output of this stage ({@link RunFolder}), so that the folder never
   * mixes outputs of different runs.
   */
  public void commit() {
    ObjectNode meta = JSON.createObjectNode();
    meta.put("stage", target.getName());
    meta.put("completed", Instant.now().toString());
    meta.put("code_version", codeVersion());
    meta.put("config_sha256", sha256(settings.renderJson()));
    meta.set("row_counts", JSON.valueToTree(rowCounts));
    ObjectNode inputs = run.runningInputs();
    if (inputs != null) {
      meta.set("inputs", inputs);
    }
    try {
      meta.set("config", JSON.readTree(settings.renderJson()));
      writeBytes(META_FILE, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
      if (fs.exists(target) && !fs.delete(target, true)) {
        throw new IOException("cannot remove the old output " + target);
      }
      if (!fs.rename(temp, target)) {
        throw new IOException("cannot rename " + temp + " to " + target);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot commit stage " + stage, e);
    }
    List<String> removed = run.removeBuiltFromReplaced(stage);
    if (!removed.isEmpty()) {
      LOG.warn("removed the outputs {} of {}: they were built from the '{}' output that this run replaced",
          removed, target.getParent(), stage);
    }
  }

  /** Removes the temporary folder after a failure. */
  public void abort() {
    try {
      fs.delete(temp, true);
    } catch (IOException ignored) {
      // the temporary folder has a hidden name and never counts as output
    }
  }

  static String codeVersion() {
    String version = StageOutput.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  /** Hex SHA-256 of a text (UTF-8). */
  public static String sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  static String sha256(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      StringBuilder hex = new StringBuilder();
      for (byte b : digest) {
        hex.append(String.format("%02x", b));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
