package org.aldi.store;

import java.util.Map;
import org.aldi.config.Settings;

/** One stage of the pipeline: reads the datasets of earlier stages from the run folder, writes its own. */
public interface Stage {
  /** The stage's name, which is also the name of its output folder in the run folder. */
  String name();

  void run(RunFolder run, Settings settings);

  /**
   * The source paths the stage reads outside the run folder, by configuration key; checked to exist at start-up
   * ({@link Preflight}), before Spark does any work.
   */
  default Map<String, String> inputPaths(Settings settings) {
    return Map.of();
  }
}
