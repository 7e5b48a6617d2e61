package org.aldi.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.List;
import org.aldi.backbone.BackboneStage;
import org.aldi.baselines.ModelStage;
import org.aldi.config.ConfigLoader;
import org.aldi.config.Settings;
import org.aldi.store.RunFolder;
import org.aldi.store.Stage;
import org.aldi.store.StageInputs;
import org.aldi.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What makes a finished stage of a comparison reusable: the configuration keys of its lineage (with run.seed), not
 * where it is, nor the comparison's own settings (adding a seed or a row must not invalidate the runs done).
 */
class ComparisonFingerprintTest {
  @TempDir
  Path dir;

  private String config(Stage stage, String... overrides) {
    Settings settings = ConfigLoader.load(List.of(), List.of(overrides));
    RunFolder run = new RunFolder(TestSpark.get(), dir.toString());
    return StageInputs.compute(run, settings, stage.lineage(settings)).get("config_sha256").asText();
  }

  @Test
  void ignoresTheFolderAndTheComparisonsOwnSettings() {
    String plain = config(new ModelStage(), "run.seed=1");
    assertEquals(plain, config(new ModelStage(), "run.seed=1", "run.dir=\"elsewhere\"", "compare.seeds=[1, 2, 3, 4]",
        "compare.rows=[{id=x, method=aldi}]", "compare.reports=[]", "spark.partitions=16"));
    assertEquals(plain, config(new ModelStage(), "run.seed=1", "distill.loss.alpha=0.1"),
        "a default given explicitly is the same");
  }

  @Test
  void changesWithTheSeedAndTheKeysARunDependsOn() {
    String plain = config(new ModelStage(), "run.seed=1");
    assertNotEquals(plain, config(new ModelStage(), "run.seed=2"));
    assertNotEquals(plain, config(new ModelStage(), "run.seed=1", "distill.loss.alpha=0"));
    assertNotEquals(plain, config(new ModelStage(), "run.seed=1", "distill.method=deepmusic"));
    // backbone-only depends on the backbone's initial std, which draws its random cold vectors
    assertNotEquals(config(new ModelStage(), "distill.method=backbone-only"),
        config(new ModelStage(), "distill.method=backbone-only", "backbone.bpr.init-std=0.5"));
    // the shared stages do not depend on the distillation settings
    assertEquals(config(new BackboneStage(), "run.seed=1"),
        config(new BackboneStage(), "run.seed=1", "distill.loss.alpha=0", "distill.method=deepmusic"));
  }
}
