package org.aldi.store;

import org.aldi.config.Settings;

/** One stage of the pipeline: reads the datasets of earlier stages from the run folder, writes its own. */
public interface Stage {
  /** The stage's name, which is also the name of its output folder in the run folder. */
  String name();

  void run(RunFolder run, Settings settings);

  /**
   * What the stage's output depends on under these settings, recorded in its metadata for resuming
   * (aldi.run.if-exists = resume). Null (the default) declares nothing: such a stage always runs.
   */
  default Lineage lineage(Settings settings) {
    return null;
  }
}
