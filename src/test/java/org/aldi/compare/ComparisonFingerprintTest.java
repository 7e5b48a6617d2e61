package org.aldi.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.aldi.config.ConfigLoader;
import org.junit.jupiter.api.Test;

/**
 * What makes a finished stage or run reusable: the configuration sections it depends on and run.seed, not where it
 * is, nor the comparison's own settings (adding a seed or a row must not invalidate the runs done).
 */
class ComparisonFingerprintTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode config(String... overrides) throws Exception {
    return JSON.readTree(ConfigLoader.load(List.of(), List.of(overrides)).renderJson());
  }

  static String rows(String... overrides) throws Exception {
    return Comparison.fingerprint(config(overrides), Comparison.ROW_SECTIONS);
  }

  static String base(String... overrides) throws Exception {
    return Comparison.fingerprint(config(overrides), Comparison.BASE_SECTIONS);
  }

  @Test
  void ignoresTheFolderAndTheComparisonsOwnSettings() throws Exception {
    String plain = rows("run.seed=1");
    assertEquals(plain, rows("run.seed=1", "run.dir=\"elsewhere\"", "compare.seeds=[1, 2, 3, 4]",
        "compare.rows=[{id=x, method=aldi}]", "compare.reports=[]", "spark.partitions=16"));
    assertEquals(plain, rows("run.seed=1", "distill.loss.alpha=0.1"), "a default given explicitly is the same");
  }

  @Test
  void changesWithTheSeedAndTheSectionsARunDependsOn() throws Exception {
    String plain = rows("run.seed=1");
    assertNotEquals(plain, rows("run.seed=2"));
    assertNotEquals(plain, rows("run.seed=1", "distill.loss.alpha=0"));
    assertNotEquals(plain, rows("run.seed=1", "backbone.bpr.reg=0.01"));
    assertNotEquals(plain, rows("run.seed=1", "report.bins=20"));
    // the shared stages do not depend on the distillation settings
    assertEquals(base("run.seed=1"), base("run.seed=1", "distill.loss.alpha=0", "distill.method=deepmusic"));
    assertNotEquals(base("run.seed=1"), base("run.seed=1", "sample.epoch-sets=100"));
  }
}
