package org.aldi.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which stage outputs a stage has read, so that its own output records them ("built_from" in
 * {@value StageOutput#META_FILE}: stage name to the "output_id" of the output read) and so that it never combines
 * outputs of different runs. Every committed output gets a fresh output id. Reading a stage output checks:
 * <ul>
 *   <li>in its run folder, every output it was built from is still the one there, recursively (else it is stale:
 *       an upstream stage was run again after it);
 *   <li>against the outputs already read for the same stage: they agree on the outputs they were built from.
 * </ul>
 * Outputs written before lineage existed (no output_id) are not checked. One Lineage is shared by the
 * {@link RunFolder}s of one job ({@link RunFolder#at}); {@link #clear()} starts the next stage.
 */
final class Lineage {
  private record Observed(String id, Map<String, String> builtFrom) {}

  private final Map<String, Observed> observed = new LinkedHashMap<>();

  /** Records that stage (of folder) was read, after checking that it is fresh and agrees with earlier reads. */
  synchronized void observe(RunFolder folder, String stage, JsonNode meta) {
    String id = meta.path("output_id").asText(null);
    if (id == null) {
      return;
    }
    Observed earlier = observed.get(stage);
    if (earlier != null && earlier.id().equals(id)) {
      return;
    }
    Map<String, String> builtFrom = builtFrom(meta);
    checkFresh(folder, stage, builtFrom, new HashSet<>());
    for (Map.Entry<String, Observed> e : observed.entrySet()) {
      String other = e.getKey();
      if (other.equals(stage)) {
        continue;
      }
      if (builtFrom.containsKey(other) && !builtFrom.get(other).equals(e.getValue().id())) {
        throw mixed(folder, stage, other);
      }
      String expected = e.getValue().builtFrom().get(stage);
      if (expected != null && !expected.equals(id)) {
        throw mixed(folder, other, stage);
      }
    }
    observed.put(stage, new Observed(id, builtFrom));
  }

  /** The output ids of the stages read since the last {@link #clear()}: the "built_from" of the next output. */
  synchronized Map<String, String> builtFrom() {
    Map<String, String> ids = new LinkedHashMap<>();
    observed.forEach((stage, o) -> ids.put(stage, o.id()));
    return ids;
  }

  synchronized void clear() {
    observed.clear();
  }

  static Map<String, String> builtFrom(JsonNode meta) {
    Map<String, String> ids = new LinkedHashMap<>();
    meta.path("built_from").fields().forEachRemaining(e -> ids.put(e.getKey(), e.getValue().asText()));
    return ids;
  }

  /** Throws when an output that stage was built from has been replaced in the folder since (recursively). */
  private static void checkFresh(RunFolder folder, String stage, Map<String, String> builtFrom, Set<String> seen) {
    for (Map.Entry<String, String> e : builtFrom.entrySet()) {
      String upstream = e.getKey();
      if (!seen.add(upstream) || !folder.isComplete(upstream)) {
        continue; // checked already, or not in this folder (removed, or the folder holds only this stage)
      }
      JsonNode meta = folder.meta(upstream);
      String current = meta.path("output_id").asText(null);
      if (current != null && !current.equals(e.getValue())) {
        throw new StaleOutputException("the '" + stage + "' output in " + folder.root() + " was built from an "
            + "older '" + upstream + "' output: '" + upstream + "' was run again after '" + stage + "', so the two "
            + "come from different runs; run '" + stage + "' (and the stages after it) again");
      }
      checkFresh(folder, upstream, builtFrom(meta), seen);
    }
  }

  private static StaleOutputException mixed(RunFolder folder, String stage, String other) {
    return new StaleOutputException("the '" + stage + "' output read from " + folder.root() + " was not built from "
        + "the '" + other + "' output read with it: they come from different runs; run '" + stage + "' (and the "
        + "stages after it) again");
  }
}
