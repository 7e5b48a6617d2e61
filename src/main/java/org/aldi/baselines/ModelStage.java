package org.aldi.baselines;

import java.util.List;
import org.aldi.config.Settings;
import org.aldi.distill.DistillStage;
import org.aldi.store.Lineage;
import org.aldi.store.RunFolder;
import org.aldi.store.Stage;

/**
 * The model stage of the pipeline: trains the cold-start method of aldi.distill.method and writes model/. ALDI and
 * the two trained baselines share {@link DistillStage}'s loop (and its lineage); "backbone-only" trains nothing
 * ({@link BackboneOnly}).
 */
public final class ModelStage implements Stage {
  @Override
  public String name() {
    return RunFolder.MODEL;
  }

  @Override
  public Lineage lineage(Settings settings) {
    if (settings.distill.method.equals("backbone-only")) {
      return Lineage.of(List.of(RunFolder.INPUT, RunFolder.BACKBONE), "distill.method", "run.seed",
          "backbone.bpr.init-std");
    }
    return new DistillStage().lineage(settings);
  }

  @Override
  public void run(RunFolder run, Settings settings) {
    switch (settings.distill.method) {
      case "deepmusic" -> new DistillStage().train(run, settings, new DeepMusic());
      case "dropoutnet" -> {
        DropoutNet.requireDenseContent(run.read(RunFolder.INPUT, "item_content"));
        new DistillStage().train(run, settings, new DropoutNet());
      }
      case "backbone-only" -> BackboneOnly.write(run, settings, name());
      default -> new DistillStage().run(run, settings);
    }
  }
}
