package org.aldi.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.aldi.config.ConfigLoader;
import org.aldi.config.Settings;
import org.aldi.jobs.JobLauncher;
import org.aldi.jobs.PipelineJob;
import org.aldi.testing.CiteULikeSlice;
import org.aldi.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resuming (aldi.run.if-exists = resume): a stage is skipped only when its output is complete and its recorded input
 * fingerprints (configuration subset, source files, upstream outputs, code version) equal the current ones; a
 * half-written output is never taken for a complete one. Three small stages a -> b -> c stand in for a pipeline;
 * the real stages' configuration subsets are checked on the slice run.
 */
class ResumeTest {
  @TempDir
  Path dir;

  /** A stage that writes one JSON file and counts its runs; reads its upstream's file if it has one. */
  private static final class CountingStage implements Stage {
    private final String name;
    private final Lineage lineage;
    int runs;

    CountingStage(String name, Lineage lineage) {
      this.name = name;
      this.lineage = lineage;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Lineage lineage(Settings settings) {
      return lineage;
    }

    @Override
    public void run(RunFolder run, Settings settings) {
      runs++;
      for (String upstream : lineage.upstream()) {
        run.readJson(upstream, "value.json");
      }
      StageOutput.write(run, name, settings, out -> out.writeJson("value.json", Map.of("runs", runs)));
    }
  }

  private Path source;
  private CountingStage a;
  private CountingStage b;
  private CountingStage c;

  private void stages() throws IOException {
    source = dir.resolve("source.txt");
    Files.writeString(source, "1 2 3\n");
    a = new CountingStage("a", new Lineage(List.of(), List.of("data.content.dimension"),
        Map.of("data.interactions.path", source.toString())));
    b = new CountingStage("b", Lineage.of(List.of("a"), "evaluate.k"));
    c = new CountingStage("c", Lineage.of(List.of("b"), "distill.learning-rate", "distill.loss"));
  }

  private RunFolder run() {
    return new RunFolder(TestSpark.get(), dir.resolve("run").toString());
  }

  private void resume(String... overrides) {
    List<String> all = new ArrayList<>(List.of("run.if-exists=resume"));
    all.addAll(List.of(overrides));
    JobLauncher.runStages(run(), ConfigLoader.load(List.of(), all), a, b, c);
  }

  private int[] runs() {
    return new int[] {a.runs, b.runs, c.runs};
  }

  private byte[] meta(String stage) throws IOException {
    return Files.readAllBytes(dir.resolve("run").resolve(stage).resolve(StageOutput.META_FILE));
  }

  @Test
  void skipsUpToDateStagesAndRedoesWhatChangedAndEverythingDownstream() throws Exception {
    stages();
    resume();
    assertArrayEquals(new int[] {1, 1, 1}, runs(), "a first run runs every stage");
    byte[] metaA = meta("a");
    JsonNode inputs = run().meta("c").get("inputs");
    assertEquals(0.001, inputs.get("config").get("aldi.distill.learning-rate").asDouble());
    assertTrue(inputs.get("config").has("aldi.distill.loss.alpha"), "a section stands for all of its keys");
    assertEquals(run().metaSha256("b"), inputs.get("upstream").get("b").asText());
    JsonNode sourceNode = run().meta("a").get("inputs").get("sources").get(0);
    assertEquals(6, sourceNode.get("bytes").asLong());
    assertEquals(1, sourceNode.get("files").asInt());

    resume();
    assertArrayEquals(new int[] {1, 1, 1}, runs(), "nothing changed: every stage skipped");
    assertArrayEquals(metaA, meta("a"), "a skipped stage keeps its output");

    resume("distill.learning-rate=0.01");
    assertArrayEquals(new int[] {1, 1, 2}, runs(), "a key of c only: c alone runs again");

    resume("distill.learning-rate=0.01", "evaluate.k=[10,20]");
    assertArrayEquals(new int[] {1, 2, 3}, runs(), "a key of b: b and, reading a new b, c run again");

    Files.writeString(source, "1 2 3 4\n");
    resume("distill.learning-rate=0.01", "evaluate.k=[10,20]");
    assertArrayEquals(new int[] {2, 3, 4}, runs(), "a changed source file: everything runs again");
  }

  @Test
  void halfWrittenOutputsAreNeverTakenForCompleteOnes() throws Exception {
    stages();
    resume();
    Path runDir = dir.resolve("run");
    // a crash while c's output was being moved in place: a folder under the stage's name without metadata
    Files.delete(runDir.resolve("c").resolve(StageOutput.META_FILE));
    // and a crash inside b's temporary folder, after its metadata was written but before the rename
    Path leftover = runDir.resolve(StageOutput.TEMP_PREFIX + "b-crashed");
    Files.createDirectories(leftover);
    Files.copy(runDir.resolve("b").resolve(StageOutput.META_FILE), leftover.resolve(StageOutput.META_FILE));
    Files.delete(runDir.resolve("b").resolve(StageOutput.META_FILE));
    assertFalse(run().isComplete("b"));
    assertTrue(StageInputs.staleness(run(), "c", null).contains("no " + StageOutput.META_FILE));

    resume();
    assertArrayEquals(new int[] {1, 2, 2}, runs(), "b and c were incomplete: both run again, a is skipped");
    try (Stream<Path> files = Files.list(runDir)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(StageOutput.TEMP_PREFIX)),
          "the interrupted write's temporary folder was removed");
    }
  }

  @Test
  void aStageMayReadOnlyWhatItsLineageDeclares() throws Exception {
    stages();
    resume();
    Stage sneaky = new Stage() {
      @Override
      public String name() {
        return "d";
      }

      @Override
      public Lineage lineage(Settings settings) {
        return Lineage.of(List.of("b"), "evaluate.k");
      }

      @Override
      public void run(RunFolder run, Settings settings) {
        run.readJson("a", "value.json");
      }
    };
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> JobLauncher.runStages(run(), ConfigLoader.load(List.of(), List.of()), sneaky));
    assertTrue(e.getMessage().contains("'a'"), e.getMessage());
  }

  @Test
  void anUnknownConfigurationKeyInALineageIsAnError() throws Exception {
    Lineage typo = Lineage.of(List.of(), "distill.learning-rat");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> StageInputs.compute(run(), ConfigLoader.load(List.of(), List.of()), typo));
    assertTrue(e.getMessage().contains("aldi.distill.learning-rat"), e.getMessage());
  }

  /** On the slice run: the pipeline's own stages; evaluate.k redoes evaluation only, the learning rate distillation. */
  @Test
  void realStagesRedoOnlyWhatAConfigurationChangeAffects() {
    RunFolder slice = CiteULikeSlice.run();
    assertStale(slice, CiteULikeSlice.settings(), List.of());
    // (the stages after a stale one run again too, as they read its new output: shown above with stages a, b, c)
    assertStale(slice, CiteULikeSlice.settings("evaluate.k=[10,20]"), List.of(RunFolder.EVAL));
    assertStale(slice, CiteULikeSlice.settings("distill.learning-rate=0.01"), List.of(RunFolder.MODEL));
    assertStale(slice, CiteULikeSlice.settings("distill.batch-size=128"), List.of(RunFolder.MODEL, RunFolder.REPORT));
    assertStale(slice, CiteULikeSlice.settings("spark.shuffle-partitions=3", "evaluate.user-block-size=64"),
        List.of());
    String why = StageInputs.staleness(slice, RunFolder.MODEL,
        StageInputs.compute(slice, CiteULikeSlice.settings("distill.learning-rate=0.01"),
            new org.aldi.distill.DistillStage().lineage(CiteULikeSlice.settings())));
    assertEquals("configuration changed: aldi.distill.learning-rate", why);
  }

  /** Which stages of the pipeline see their own inputs changed (before any of them runs again). */
  private static void assertStale(RunFolder run, Settings settings, List<String> expected) {
    List<String> stale = new ArrayList<>();
    for (Stage stage : PipelineJob.stages()) {
      String why = StageInputs.staleness(run, stage.name(), StageInputs.compute(run, settings, stage.lineage(settings)));
      if (why != null) {
        stale.add(stage.name());
      }
    }
    assertEquals(expected, stale);
  }
}
