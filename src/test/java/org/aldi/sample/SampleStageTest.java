package org.aldi.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aldi.config.Settings;
import org.aldi.ingest.DataSchemaAssert;
import org.aldi.split.SplitFixtures;
import org.aldi.split.SplitStage;
import org.aldi.store.RunFolder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleStageTest {
  @TempDir static Path dir;
  static RunFolder run;
  static Map<Integer, Set<Integer>> train = new HashMap<>();
  static Set<Integer> warm = new HashSet<>();

  /** One split of a small random data set, shared by the tests (each writes its own triples over it). */
  @BeforeAll
  static void split() {
    Settings s = SplitFixtures.settings(dir.resolve("run"));
    run = SplitFixtures.writeInput(s, SplitFixtures.randomPairs(80, 150, 6, 5));
    new SplitStage().run(run, s);
    for (Row r : run.read(RunFolder.SPLIT, "train").collectAsList()) {
      train.computeIfAbsent(r.getInt(0), k -> new HashSet<>()).add(r.getInt(1));
    }
    warm.addAll(run.read(RunFolder.SPLIT, "item_role").filter("role = 'warm'").select("item").as(Encoders.INT())
        .collectAsList());
  }

  private static List<Row> sample(String... overrides) {
    List<String> o = new ArrayList<>(List.of("sample.epoch-sets=3"));
    o.addAll(List.of(overrides));
    Settings s = SplitFixtures.settings(dir.resolve("run"), o.toArray(String[]::new));
    new SampleStage().run(run, s);
    DataSchemaAssert.matches("triples.triples", run.read(RunFolder.TRIPLES, "triples"));
    return run.read(RunFolder.TRIPLES, "triples").collectAsList();
  }

  private static long trainSize() {
    return train.values().stream().mapToLong(Set::size).sum();
  }

  /** Positives are train items of the user, negatives warm and never a train item of the user. */
  private static void assertValid(List<Row> triples) {
    for (Row t : triples) {
      Set<Integer> items = train.get(t.getInt(1));
      assertTrue(items != null && items.contains(t.getInt(2)), "positive is a train record of the user: " + t);
      assertTrue(warm.contains(t.getInt(3)), "negative is warm: " + t);
      assertFalse(items.contains(t.getInt(3)), "negative is not a positive of the user: " + t);
    }
  }

  @Test
  void userUniformTriples() {
    List<Row> triples = sample();
    assertValid(triples);
    for (int epoch = 0; epoch < 3; epoch++) {
      int e = epoch;
      assertEquals(trainSize(), triples.stream().filter(t -> t.getInt(0) == e).count(), "|train| per epoch");
    }
    Set<Integer> users = new HashSet<>();
    triples.forEach(t -> users.add(t.getInt(1)));
    assertEquals(train.keySet(), users, "with ~20 draws per user every user is drawn");
    JsonNode s = run.readJson(RunFolder.TRIPLES, "summary.json");
    assertEquals(3 * trainSize(), s.get("triples").asLong());
    assertTrue(s.get("negative_redraws").asLong() > 0, "some negatives hit a positive and were re-drawn");

    assertEquals(triples, sample(), "same seed, same triples in the same order");
    assertNotEquals(new HashSet<>(triples), new HashSet<>(sample("run.seed=7")), "another seed, other triples");
  }

  @Test
  void recordTriplesUseEveryTrainRecordOncePerEpoch() {
    List<Row> triples = sample("sample.positives=record");
    assertValid(triples);
    for (int epoch = 0; epoch < 3; epoch++) {
      Set<Long> seen = new HashSet<>();
      for (Row t : triples) {
        if (t.getInt(0) == epoch) {
          assertTrue(seen.add(((long) t.getInt(1) << 32) | t.getInt(2)), "record twice in epoch " + epoch);
        }
      }
      assertEquals(trainSize(), seen.size(), "every train record in epoch " + epoch);
    }
    assertEquals(triples, sample("sample.positives=record"));
  }

  @Test
  void userWithEveryWarmItemFails() throws IOException {
    Path d = dir.resolve("tiny");
    Files.createDirectories(d);
    Path trainCsv = Files.writeString(d.resolve("train.csv"), "user,item\n0,0\n0,1\n1,0\n");
    Path empty = Files.writeString(d.resolve("empty.csv"), "user,item\n");
    Settings s = SplitFixtures.settings(d.resolve("run"), "split.mode=given",
        "split.given.train=\"" + trainCsv + "\"", "split.given.warm-val=\"" + empty + "\"",
        "split.given.warm-test=\"" + empty + "\"", "split.given.cold-val=\"" + empty + "\"",
        "split.given.cold-test=\"" + empty + "\"", "sample.max-negative-draws=50");
    RunFolder tiny = SplitFixtures.writeInput(s, List.of(new int[] {0, 0}, new int[] {0, 1}, new int[] {1, 0}));
    new SplitStage().run(tiny, s);
    NegativeSamplingException e = assertThrows(NegativeSamplingException.class, () -> new SampleStage().run(tiny, s));
    assertTrue(e.getMessage().contains("user 0: no negative item after aldi.sample.max-negative-draws = 50 draws"),
        e.getMessage());
    assertFalse(tiny.isComplete(RunFolder.TRIPLES));
  }
}
