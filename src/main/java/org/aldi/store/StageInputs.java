package org.aldi.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.aldi.config.Settings;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Fingerprints of everything a stage's output depends on ({@link Lineage}), recorded under "inputs" in the output's
 * {@value StageOutput#META_FILE}:
 * <ul>
 *   <li>{@code code_version}: the version of the code that made it;
 *   <li>{@code config}: the value of every configuration key of the lineage (flattened to leaf keys), and
 *       {@code config_sha256}, the hash of that subset;
 *   <li>{@code sources}: per source path its file count, total bytes, latest modification time and the SHA-256 of
 *       its listing (relative path, size and modification time of every file below it);
 *   <li>{@code upstream}: per output read (as the lineage names it), the SHA-256 of that output's metadata file, or
 *       null when there was none. The metadata holds its completion time, so the hash names one write of it: an
 *       output written again changes it. This is the record of which outputs the output was built from.
 * </ul>
 * Under aldi.run.if-exists = resume a stage runs again unless its output is complete and these fingerprints equal the
 * current ones ({@link #staleness}).
 */
public final class StageInputs {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StageInputs() {}

  /** The current fingerprints of a stage's lineage (before the stage runs). */
  public static ObjectNode compute(RunFolder run, Settings settings, Lineage lineage) {
    ObjectNode inputs = JSON.createObjectNode();
    inputs.put("code_version", StageOutput.codeVersion());
    ObjectNode config = configSubset(settings, lineage.configKeys());
    inputs.set("config", config);
    inputs.put("config_sha256", StageOutput.sha256(config.toString()));
    ArrayNode sources = inputs.putArray("sources");
    for (String path : lineage.sources().values()) {
      sources.add(source(run, path));
    }
    ObjectNode upstream = inputs.putObject("upstream");
    for (String stage : new TreeSet<>(lineage.upstream())) {
      upstream.put(stage, run.metaSha256(stage));
    }
    // as parsed back from the metadata file (number node types included), so that equal inputs compare equal
    try {
      return (ObjectNode) JSON.readTree(inputs.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Why the stage has to run again under aldi.run.if-exists = resume, or null when its output is complete and was
   * made from the same inputs as its lineage's current ones.
   */
  public static String staleness(RunFolder run, Stage stage, Settings settings) {
    return staleness(run, stage.name(), compute(run, settings, stage.lineage(settings)));
  }

  /**
   * Why the stage has to run again under aldi.run.if-exists = resume, or null when its output is complete and was
   * made from the same inputs ({@code current}).
   */
  public static String staleness(RunFolder run, String stage, JsonNode current) {
    JsonNode meta = run.meta(stage);
    if (meta == null) {
      return run.exists(stage) ? "its folder has no " + StageOutput.META_FILE + " (an interrupted write)" : "no output yet";
    }
    JsonNode recorded = meta.get("inputs");
    if (recorded == null) {
      return "its output records no input fingerprints";
    }
    String difference = difference(recorded, current);
    return difference.isEmpty() ? null : difference;
  }

  /**
   * The outputs that an output was built from, from its input fingerprints ("inputs" of its metadata): upstream (as
   * its stage's lineage names it) to the SHA-256 of that upstream's metadata when it was read. Upstream outputs that
   * did not exist then are left out; an output written outside {@link RunFolder#execute} records none.
   */
  static Map<String, String> builtFrom(JsonNode inputs) {
    Map<String, String> upstream = new TreeMap<>();
    inputs.path("upstream").fields().forEachRemaining(e -> {
      if (e.getValue().isTextual()) {
        upstream.put(e.getKey(), e.getValue().asText());
      }
    });
    return upstream;
  }

  /** What differs between recorded and current fingerprints, in words ("" when nothing does). */
  static String difference(JsonNode recorded, JsonNode current) {
    List<String> reasons = new ArrayList<>();
    if (!recorded.path("code_version").equals(current.path("code_version"))) {
      reasons.add("code version " + recorded.path("code_version").asText() + " -> "
          + current.path("code_version").asText());
    }
    List<String> keys = changedKeys(recorded.path("config"), current.path("config"));
    if (!keys.isEmpty()) {
      reasons.add("configuration changed: " + String.join(", ", keys));
    }
    Map<String, JsonNode> before = byPath(recorded.path("sources"));
    Map<String, JsonNode> now = byPath(current.path("sources"));
    for (String path : new TreeSet<>(union(before.keySet(), now.keySet()))) {
      if (!now.containsKey(path) || !before.containsKey(path) || !now.get(path).equals(before.get(path))) {
        reasons.add("source changed: " + path);
      }
    }
    List<String> stages = changedKeys(recorded.path("upstream"), current.path("upstream"));
    if (!stages.isEmpty()) {
      reasons.add("upstream output written again or missing: " + String.join(", ", stages));
    }
    return String.join("; ", reasons);
  }

  private static List<String> changedKeys(JsonNode before, JsonNode now) {
    List<String> changed = new ArrayList<>();
    TreeSet<String> names = new TreeSet<>();
    before.fieldNames().forEachRemaining(names::add);
    now.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      if (!before.path(name).equals(now.path(name))) {
        changed.add(name);
      }
    }
    return changed;
  }

  private static Map<String, JsonNode> byPath(JsonNode sources) {
    Map<String, JsonNode> map = new TreeMap<>();
    for (JsonNode source : sources) {
      map.put(source.path("path").asText(), source);
    }
    return map;
  }

  private static TreeSet<String> union(Iterable<String> a, Iterable<String> b) {
    TreeSet<String> all = new TreeSet<>();
    a.forEach(all::add);
    b.forEach(all::add);
    return all;
  }

  /** The leaf values of the given configuration keys (paths below "aldi"), keyed by full dotted key, sorted. */
  static ObjectNode configSubset(Settings settings, List<String> configKeys) {
    JsonNode aldi;
    try {
      aldi = JSON.readTree(settings.renderJson()).path("aldi");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, JsonNode> leaves = new TreeMap<>();
    for (String key : configKeys) {
      JsonNode node = aldi;
      for (String part : key.split("\\.")) {
        node = node.path(part);
      }
      if (node.isMissingNode()) {
        throw new IllegalStateException("a stage lineage names aldi." + key + ", which is not a configuration key");
      }
      flatten("aldi." + key, node, leaves);
    }
    ObjectNode subset = JSON.createObjectNode();
    leaves.forEach(subset::set);
    return subset;
  }

  private static void flatten(String key, JsonNode node, Map<String, JsonNode> leaves) {
    if (!node.isObject()) {
      leaves.put(key, node);
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      flatten(key + "." + field.getKey(), field.getValue(), leaves);
    }
  }

  /** A source file or folder: file count, bytes, latest modification and the hash of its listing. */
  static ObjectNode source(RunFolder run, String path) {
    Path root = new Path(path);
    FileSystem fs = RunFolder.fileSystem(root, run.spark().sparkContext().hadoopConfiguration());
    ObjectNode node = JSON.createObjectNode();
    try {
      Path qualified = fs.makeQualified(root);
      node.put("path", qualified.toString());
      if (!fs.exists(qualified)) {
        node.put("missing", true);
        return node;
      }
      Map<String, String> listing = new TreeMap<>();
      long bytes = 0;
      long modified = 0;
      for (RemoteIterator<LocatedFileStatus> files = fs.listFiles(qualified, true); files.hasNext(); ) {
        LocatedFileStatus file = files.next();
        String relative = qualified.toUri().relativize(file.getPath().toUri()).getPath();
        if (relative.isEmpty()) { // the source is this one file
          relative = file.getPath().getName();
        }
        listing.put(relative, file.getLen() + "\t" + file.getModificationTime());
        bytes += file.getLen();
        modified = Math.max(modified, file.getModificationTime());
      }
      StringBuilder text = new StringBuilder();
      listing.forEach((name, stats) -> text.append(name).append('\t').append(stats).append('\n'));
      node.put("files", listing.size());
      node.put("bytes", bytes);
      node.put("modified", Instant.ofEpochMilli(modified).toString());
      node.put("listing_sha256", StageOutput.sha256(text.toString()));
      return node;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the source " + path, e);
    }
  }
}
