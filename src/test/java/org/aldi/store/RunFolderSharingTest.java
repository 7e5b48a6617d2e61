package org.aldi.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.aldi.config.ConfigLoader;
import org.aldi.config.Settings;
import org.aldi.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run folder that shares some stages of another: reads them there, writes the rest in its own folder only. */
class RunFolderSharingTest {
  @Test
  void readsSharedStagesFromTheOtherFolderAndRefusesToWriteThem(@TempDir Path dir) {
    Settings settings = ConfigLoader.load(List.of(), List.of("run.dir=\"" + dir + "\""));
    RunFolder base = new RunFolder(TestSpark.get(), dir.resolve("base").toString());
    StageOutput.write(base, RunFolder.BACKBONE, settings, out -> out.writeJson("history.json", List.of(1, 2)));
    RunFolder row = base.sharing(dir.resolve("row").toString(), Set.of(RunFolder.BACKBONE));

    assertTrue(row.isShared(RunFolder.BACKBONE));
    assertFalse(row.isShared(RunFolder.MODEL));
    assertTrue(row.isComplete(RunFolder.BACKBONE));
    assertEquals("[1,2]", row.readJson(RunFolder.BACKBONE, "history.json").toString());
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> StageOutput.write(row, RunFolder.BACKBONE, settings, out -> out.writeJson("history.json", List.of())));
    assertTrue(e.getMessage().contains("shared"), e.getMessage());

    StageOutput.write(row, RunFolder.MODEL, settings, out -> out.writeJson("history.json", List.of(3)));
    assertTrue(Files.exists(dir.resolve("row/model/history.json")));
    assertFalse(Files.exists(dir.resolve("base/model")), "the row's own stages stay in its folder");
    assertEquals("[1,2]", base.readJson(RunFolder.BACKBONE, "history.json").toString(), "the shared stage unchanged");
  }

  /**
   * A stage run in a sharing folder reads the shared output under its lineage and records it; when the shared output
   * is written again, the row's output is out of date (a comparison redoes it) and cannot be read with the new one.
   */
  @Test
  void aRowOutputBuiltFromASharedStageIsStaleOnceThatStageIsWrittenAgain(@TempDir Path dir) {
    Settings settings = ConfigLoader.load(List.of(), List.of("run.dir=\"" + dir + "\""));
    RunFolder base = new RunFolder(TestSpark.get(), dir.resolve("base").toString());
    Stage backbone = RunFolderLineageTest.stage(RunFolder.BACKBONE);
    base.execute(backbone, settings);
    RunFolder row = base.sharing(dir.resolve("row").toString(), Set.of(RunFolder.BACKBONE));
    Stage model = RunFolderLineageTest.stage(RunFolder.MODEL, RunFolder.BACKBONE);
    row.execute(model, settings);
    assertNull(StageInputs.staleness(row, model, settings), "up to date");
    assertTrue(Files.exists(dir.resolve("row/model/value.json")));
    assertEquals(base.metaSha256(RunFolder.BACKBONE),
        row.meta(RunFolder.MODEL).get("inputs").get("upstream").get(RunFolder.BACKBONE).asText());

    base.execute(backbone, settings);
    String why = StageInputs.staleness(row, model, settings);
    assertTrue(why != null && why.contains("upstream output written again"), why);
    assertThrows(StaleOutputException.class,
        () -> row.execute(RunFolderLineageTest.stage("compare", RunFolder.BACKBONE, RunFolder.MODEL), settings));
  }
}
