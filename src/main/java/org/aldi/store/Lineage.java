package org.aldi.store;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a stage's output depends on, declared by the stage ({@link Stage#lineage}): the outputs it reads
 * ({@code upstream}: stage names, which are folders of the run folder, or the Hadoop path of an output kept elsewhere,
 * see {@link RunFolder#stagePath}), the configuration keys whose values can change it ({@code configKeys}, paths below
 * "aldi", a section name standing for all of its keys), and the source files or folders it reads outside the run
 * folder ({@code sources}: the configuration key below "aldi" that names each, to its Hadoop path). A stage may read
 * only the outputs it declares; its sources are checked to exist at start-up ({@link Preflight}). {@link StageInputs}
 * turns the lineage into the fingerprints that the output's metadata records: what a resumed run compares, and what
 * tells whether an output was built from the outputs now in place ({@link RunFolder}).
 */
public record Lineage(List<String> upstream, List<String> configKeys, Map<String, String> sources) {
  public Lineage {
    upstream = List.copyOf(upstream);
    configKeys = List.copyOf(configKeys);
    sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
  }

  /** A stage that reads only stage outputs. */
  public static Lineage of(List<String> upstream, String... configKeys) {
    return new Lineage(upstream, List.of(configKeys), Map.of());
  }
}
