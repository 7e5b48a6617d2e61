package org.aldi.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

  @Test
  void referenceDefaultsLoadAndOverridesWin() throws Exception {
    File conf = File.createTempFile("aldi", ".conf");
    Files.writeString(conf.toPath(), "aldi.distill.batch-size = 256\naldi.run.seed = 7\n");
    Settings s = ConfigLoader.load(List.of(conf.getPath()), List.of("run.seed=9", "aldi.evaluate.k=[10,20]"));
    assertEquals(256, s.distill.batchSize);
    assertEquals(9, s.run.seed);
    assertEquals(2, s.evaluate.ks.length);
    assertEquals(0.1, s.distill.alpha, 1e-12);
    assertFalse(s.distill.squaredRatingDistance);
    assertTrue(s.distill.batchNorm);
  }

  @Test
  void everyConfFileOfTheProjectLoads() {
    for (String name : new String[] {"conf/citeulike-a.conf", "conf/local.conf", "conf/cluster.conf",
        "conf/comparison-citeulike-a-paper-split.conf"}) {
      if (new File(name).exists()) {
        ConfigLoader.load(List.of(name), List.of());
      }
    }
  }

  @Test
  void unknownKeyIsRejectedByName() {
    ConfigError e = assertThrows(ConfigError.class,
        () -> ConfigLoader.load(List.of(), List.of("distill.learning-rat=0.1")));
    assertTrue(e.getMessage().contains("aldi.distill.learning-rat"), e.getMessage());
  }

  @Test
  void badValuesAreRejectedWithTheirKey() {
    assertMessage("aldi.distill.learning-rate", "distill.learning-rate=-0.001");
    assertMessage("aldi.split.cold-item-fraction", "split.cold-item-fraction=1.0");
    assertMessage("aldi.split.cold-item-fraction", "split.cold-item-fraction=0");
    assertMessage("aldi.distill.loss.rating-distance", "distill.loss.rating-distance=cubic");
    assertMessage("aldi.distill.batch-size", "distill.batch-size=many");
    assertMessage("aldi.split.warm-train-fraction", "split.warm-train-fraction=0.95");
    assertMessage("aldi.report.bins", "report.bins=0");
    assertMessage("aldi.data.ids must be one of integer | string", "data.ids=text");
    assertMessage("aldi.data.ids = string needs aldi.data.interactions.format = csv or parquet", "data.ids=string");
  }

  @Test
  void methodAndComparisonRowsAreChecked() {
    assertMessage("aldi.distill.method", "distill.method=heater");
    assertMessage("aldi.distill.dropoutnet.dropout", "distill.dropoutnet.dropout=1");
    assertMessage("aldi.compare.seeds", "compare.seeds=[1, 1]");
    assertMessage("aldi.compare.max-users", "compare.max-users=[-5]");
    assertMessage("aldi.compare.rows[1].id", "compare.rows=[{id=a, method=aldi}, {id=\"B c\", method=aldi}]");
    assertMessage("aldi.compare.rows[1].id \"a\" is used", "compare.rows=[{id=a, method=aldi}, {id=a, method=aldi}]");
    assertMessage("aldi.compare.rows[0].method", "compare.rows=[{id=a, method=gar}]");
    assertMessage("aldi.compare.rows[0] has an unknown field \"sets\"",
        "compare.rows=[{id=a, method=aldi, sets=[\"distill.l2=0\"]}]");
    assertMessage("aldi.compare.rows[0].set: \"backbone.dimension=64\"",
        "compare.rows=[{id=a, method=aldi, set=[\"backbone.dimension=64\"]}]");
    assertMessage("aldi.compare.reports names \"deepmusic\"", "compare.rows=[{id=a, method=aldi}]");
    assertMessage("aldi.compare.reports: row \"b\"",
        "compare.rows=[{id=b, method=backbone-only}]", "compare.reports=[b]");
    Settings s = ConfigLoader.load(List.of(), List.of());
    assertEquals(11, s.compare.rows.size(), "the default rows: 4 methods and 7 ablations");
    assertEquals(List.of("distill.loss.alpha=0"), s.compare.rows.get(4).set());
  }

  @Test
  void missingConfFileIsAnError() {
    ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.load(List.of("no/such.conf"), List.of()));
    assertTrue(e.getMessage().contains("no/such.conf"));
  }

  private static void assertMessage(String key, String... overrides) {
    ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.load(List.of(), List.of(overrides)));
    assertTrue(e.getMessage().contains(key), List.of(overrides) + " -> " + e.getMessage());
  }
}
