package org.aldi.store;

import org.aldi.config.Settings;

/** One stage of the pipeline: reads the datasets of earlier stages from the run folder, writes its own. */
public interface Stage {
  /** The stage's name, which is also the name of its output folder in the run folder. */
  String name();

  void run(RunFolder run, Settings settings);
}
