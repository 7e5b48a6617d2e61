package org.aldi.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.aldi.config.ConfigError;
import org.aldi.config.Settings;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checks made when a job starts, before any stage runs (so before Spark reads any data): every source path the
 * stages read (the sources of their {@link Lineage}) exists, and with aldi.run.if-exists = fail no stage output to
 * be written exists yet. A failure is a {@link ConfigError} naming the key and the path.
 */
public final class Preflight {
  private Preflight() {}

  public static void check(RunFolder run, Settings settings, List<Stage> stages) {
    List<String> problems = new ArrayList<>();
    Map<String, String> paths = new TreeMap<>();
    for (Stage stage : stages) {
      stage.lineage(settings).sources().forEach((key, path) -> paths.put("aldi." + key, path));
    }
    paths.forEach((key, path) -> {
      if (!exists(run, path)) {
        problems.add(key + " = " + path + ": no such file or folder");
      }
    });
    if (!settings.run.overwrite) {
      for (Stage stage : stages) {
        if (exists(run, run.stagePath(stage.name()).toString())) {
          problems.add("the output " + run.stagePath(stage.name()) + " already exists and aldi.run.if-exists = "
              + "fail; remove it, choose another aldi.run.dir, or set aldi.run.if-exists = overwrite");
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigError(String.join("; ", problems));
    }
  }

  /** True when the path (which may be a Hadoop glob) names at least one file or folder. */
  private static boolean exists(RunFolder run, String path) {
    Path p = new Path(path);
    try {
      FileSystem fs = RunFolder.fileSystem(p, run.spark().sparkContext().hadoopConfiguration());
      FileStatus[] matches = fs.globStatus(p);
      return matches != null && matches.length > 0;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + path, e);
    }
  }
}
