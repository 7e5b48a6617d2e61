package org.aldi.baselines;

import org.aldi.config.Settings;
import org.aldi.distill.DistillStage;
import org.aldi.store.RunFolder;
import org.aldi.store.Stage;

/**
 * The model stage of the pipeline: trains the cold-start method of aldi.distill.method and writes model/. ALDI and
 * the two trained baselines share {@link DistillStage}'s loop; "backbone-only" trains nothing ({@link BackboneOnly}).
 */
public final class ModelStage implements Stage {
  @Override
  public String name() {
    return RunFolder.MODEL;
  }

  @Override
  public void run(RunFolder run, Settings settings) {
    switch (settings.distill.method) {
      case "deepmusic" -> new DistillStage().train(run, settings, new DeepMusic());
      case "dropoutnet" -> new DistillStage().train(run, settings, new DropoutNet());
      case "backbone-only" -> BackboneOnly.write(run, settings, name());
      default -> new DistillStage().run(run, settings);
    }
  }
}
