package org.aldi.store;

import java.util.List;

/**
 * What a stage's output depends on: the outputs of earlier stages it reads ({@code upstream}, stage folder names),
 * the configuration keys whose values can change it ({@code configKeys}, paths below "aldi", a section name
 * standing for all of its keys), and the source files or folders it reads outside the run folder
 * ({@code sources}, Hadoop paths). {@link StageInputs} turns it into fingerprints that the output's metadata
 * records, so that a resumed run can tell whether the output is still up to date.
 */
public record Lineage(List<String> upstream, List<String> configKeys, List<String> sources) {
  public Lineage {
    upstream = List.copyOf(upstream);
    configKeys = List.copyOf(configKeys);
    sources = List.copyOf(sources);
  }

  /** A stage that reads only the run folder. */
  public static Lineage of(List<String> upstream, String... configKeys) {
    return new Lineage(upstream, List.of(configKeys), List.of());
  }
}
