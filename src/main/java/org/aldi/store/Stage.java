package org.aldi.store;

import org.aldi.config.Settings;

/** One stage of the pipeline: reads the datasets of earlier stages from the run folder, writes its own. */
public interface Stage {
  /** The stage's name, which is also the name of its output folder in the run folder. */
  String name();

  void run(RunFolder run, Settings settings);

  /**
   * What the stage's output depends on under these settings. Run through {@link RunFolder#execute}, the stage may
   * read only the outputs this declares, and its output records their fingerprints: for resuming (aldi.run.if-exists
   * = resume) and for telling outputs of different runs apart. Its sources are checked at start-up.
   */
  Lineage lineage(Settings settings);
}
