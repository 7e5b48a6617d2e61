package org.aldi.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aldi.config.ConfigError;
import org.aldi.config.ConfigLoader;
import org.aldi.config.Settings;
import org.aldi.ingest.IngestStage;
import org.aldi.split.SplitStage;
import org.aldi.store.Lineage;
import org.aldi.store.RunFolder;
import org.aldi.store.Stage;
import org.aldi.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, case 9 (the parts that need a file system; ConfigLoaderTest has the configuration values) and the
 * "fail" policy of case 10: a job stops at start-up, before any stage reads data, naming the key and the path.
 */
class StartupChecksTest {
  @TempDir Path dir;

  private Settings settings(String... overrides) {
    List<String> all = new ArrayList<>(List.of("run.dir=\"" + dir.resolve("run") + "\"",
        "data.interactions.format=csv", "data.content.format=parquet"));
    all.addAll(List.of(overrides));
    return ConfigLoader.load(List.of(), all);
  }

  private ConfigError startFails(Settings settings, Stage... stages) {
    RunFolder run = new RunFolder(TestSpark.get(), settings.run.dir);
    return assertThrows(ConfigError.class, () -> JobLauncher.runStages(run, settings, stages));
  }

  @Test
  void aMissingInputPathStopsTheJobBeforeAnyStageRuns() throws IOException {
    Path content = Files.createDirectories(dir.resolve("content.parquet"));
    Path missing = dir.resolve("no-such-interactions.csv");
    ConfigError e = startFails(settings("data.interactions.path=\"" + missing + "\"",
        "data.content.path=\"" + content + "\""), new IngestStage(), new SplitStage());
    assertTrue(e.getMessage().contains("aldi.data.interactions.path = " + missing + ": no such file or folder"),
        e.getMessage());
    assertFalse(Files.exists(dir.resolve("run")), "nothing written");

    Path interactions = Files.writeString(dir.resolve("i.csv"), "user,item\n0,1\n");
    Path given = Files.writeString(dir.resolve("given.csv"), "user,item\n0,1\n");
    Path noColdTest = dir.resolve("cold-test.csv");
    e = startFails(settings("data.interactions.path=\"" + interactions + "\"", "data.content.path=\"" + content + "\"",
        "split.mode=given", "split.given.train=\"" + given + "\"", "split.given.warm-val=\"" + given + "\"",
        "split.given.warm-test=\"" + given + "\"", "split.given.cold-val=\"" + given + "\"",
        "split.given.cold-test=\"" + noColdTest + "\""), new IngestStage(), new SplitStage());
    assertTrue(e.getMessage().contains("aldi.split.given.cold-test = " + noColdTest), e.getMessage());
    assertFalse(Files.exists(dir.resolve("run")), "nothing written");
  }

  @Test
  void withIfExistsFailAnExistingOutputStopsTheJobBeforeAnyStageRuns() throws IOException {
    Files.createDirectories(dir.resolve("run").resolve(RunFolder.SPLIT));
    Path interactions = Files.writeString(dir.resolve("i.csv"), "user,item\n0,1\n");
    boolean[] ran = {false};
    Stage first = new Stage() {
      @Override
      public String name() {
        return "first";
      }

      @Override
      public Lineage lineage(Settings settings) {
        return Lineage.of(List.of());
      }

      @Override
      public void run(RunFolder run, Settings settings) {
        ran[0] = true;
      }
    };
    ConfigError e = startFails(settings("data.interactions.path=\"" + interactions + "\"",
        "data.content.path=\"" + interactions + "\"", "run.if-exists=fail"), first, new SplitStage());
    assertTrue(e.getMessage().contains("the output " + dir.resolve("run").resolve(RunFolder.SPLIT).toUri().getPath()
        .replaceAll("/$", "")), e.getMessage());
    assertTrue(e.getMessage().contains("aldi.run.if-exists = fail"), e.getMessage());
    assertFalse(ran[0], "no stage ran");
    assertEquals(List.of(RunFolder.SPLIT), List.of(dir.resolve("run").toFile().list()));
  }
}
