package org.aldi.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.aldi.config.ConfigLoader;
import org.aldi.config.Settings;
import org.aldi.jobs.JobLauncher;
import org.aldi.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, case 10: a run folder that already holds results. A stage replaces its output whole (never merged with
 * the old one) and removes the outputs built from the old one; an output of another run is never read together
 * with this run's outputs. Tiny stages that write one JSON file stand in for the pipeline's; an output "was built
 * from" the upstream outputs its metadata names (with the SHA-256 of their metadata) under inputs.upstream.
 */
class RunFolderLineageTest {
  @TempDir Path dir;

  /** A stage that reads value.json of each upstream stage (its lineage) and writes its own, naming what it read. */
  static Stage stage(String name, String... upstream) {
    return new Stage() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Lineage lineage(Settings settings) {
        return Lineage.of(List.of(upstream));
      }

      @Override
      public void run(RunFolder run, Settings settings) {
        List<String> read = new ArrayList<>();
        for (String u : upstream) {
          read.add(run.readJson(u, "value.json").get("stage").asText());
        }
        StageOutput.write(run, name, settings, out -> out.writeJson("value.json", Map.of("stage", name, "read", read)));
      }
    };
  }

  private RunFolder folder(String name) {
    return new RunFolder(TestSpark.get(), dir.resolve(name).toString());
  }

  private static Settings settings(RunFolder run) {
    return ConfigLoader.load(List.of(), List.of("run.dir=\"" + run.root() + "\""));
  }

  private static void run(RunFolder run, Stage... stages) {
    JobLauncher.runStages(run, settings(run), stages);
  }

  @Test
  void rerunningAStageRemovesEveryOutputBuiltFromItsOldOutput() {
    RunFolder run = folder("run");
    run(run, stage("a"), stage("b", "a"), stage("c", "b"), stage("other"));
    assertEquals(run.metaSha256("a"), run.meta("b").get("inputs").get("upstream").get("a").asText());
    String before = run.metaSha256("a");

    run(run, stage("a"));

    assertNotEquals(before, run.metaSha256("a"));
    assertFalse(run.isComplete("b"), "built from the old a");
    assertFalse(run.isComplete("c"), "built from b, which was built from the old a");
    assertFalse(Files.exists(dir.resolve("run").resolve("c")), "removed, not just marked");
    assertTrue(run.isComplete("other"), "not built from a");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(run, stage("c", "b")));
    assertTrue(e.getMessage().contains("no complete 'b' output"), e.getMessage());
  }

  @Test
  void anOutputOfAnOlderRunIsNeverReadWithTheNewerOutputsItWasNotBuiltFrom() throws IOException {
    RunFolder run = folder("run");
    run(run, stage("a"), stage("b", "a"));
    Path saved = dir.resolve("saved-b");
    copy(dir.resolve("run/b"), saved);
    run(run, stage("a"));
    copy(saved, dir.resolve("run/b")); // an old result put back (a copy, a restore, another job)

    StaleOutputException e = assertThrows(StaleOutputException.class, () -> run(run, stage("c", "b")));
    assertTrue(e.getMessage().contains("the 'b' output in " + run.root() + " was built from an older 'a' output"),
        e.getMessage());
    assertFalse(run.isComplete("c"));
    assertThrows(StaleOutputException.class, () -> run.readJson("b", "value.json"));
  }

  @Test
  void outputsOfAnotherFolderAreCheckedAgainstTheOutputsReadWithThem() {
    RunFolder run = folder("run");
    // "x" lives in another folder (as the embed job's new item vectors may) and is built from the run's "a"
    String x = dir.resolve("elsewhere").resolve("x").toString();
    run(run, stage("a"), stage(x, "a"));
    run(run, stage("y", "a", x)); // same run: fine

    run(run, stage("a")); // a new "a": the old x must not be combined with it
    StaleOutputException e = assertThrows(StaleOutputException.class, () -> run(run, stage("y", "a", x)));
    assertTrue(e.getMessage().contains("the 'x' output read from " + dir.resolve("elsewhere") + " was not built from "
        + "the 'a' output read with it"), e.getMessage());
    assertFalse(run.isComplete("y"));
  }

  @Test
  void aStageThatReadItsOwnOlderOutputIsNotBuiltFromIt() {
    RunFolder run = folder("run");
    run(run, stage("a"), stage("b", "a"));
    run.readJson("b", "value.json"); // e.g. a test looks at the output, then runs the stage again
    run(run, stage("b", "a"));
    assertTrue(run.isComplete("b"), "not removed as built from its own replaced output");
    assertEquals(List.of("a"), List.copyOf(StageInputs.builtFrom(run.meta("b").get("inputs")).keySet()));
  }

  @Test
  void anOutputIsReplacedWholeNeverMixedWithTheOldOne() throws IOException {
    RunFolder run = folder("run");
    Settings settings = settings(run);
    StageOutput.write(run, "a", settings, out -> {
      out.writeJson("one.json", Map.of("v", 1));
      out.writeJson("two.json", Map.of("v", 1));
    });
    StageOutput.write(run, "a", settings, out -> out.writeJson("one.json", Map.of("v", 2)));
    try (Stream<Path> files = Files.list(dir.resolve("run/a"))) {
      assertEquals(List.of("_aldi_meta.json", "one.json"), files.map(p -> p.getFileName().toString())
          .filter(name -> !name.startsWith(".")).sorted().toList(), "two.json of the old output is gone");
    }
    assertEquals(2, run.readJson("a", "one.json").get("v").asInt());
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Files.copy(p, to.resolve(from.relativize(p).toString()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
