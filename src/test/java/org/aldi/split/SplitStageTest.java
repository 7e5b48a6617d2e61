package org.aldi.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.aldi.config.Settings;
import org.aldi.ingest.DataSchemaAssert;
import org.aldi.store.RunFolder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SplitStageTest {
  @TempDir Path dir;

  private RunFolder split(String runName, List<int[]> pairs, int[] contentOnly, String... overrides) {
    Settings s = SplitFixtures.settings(dir.resolve(runName), overrides);
    RunFolder run = SplitFixtures.writeInput(s, pairs, contentOnly);
    new SplitStage().run(run, s);
    return run;
  }

  private static Dataset<Row> part(RunFolder run, String name) {
    return run.read(RunFolder.SPLIT, name);
  }

  private static Set<Long> pairs(Dataset<Row> df) {
    Set<Long> out = new HashSet<>();
    for (Row r : df.select("user", "item").collectAsList()) {
      assertTrue(out.add(((long) r.getInt(0) << 32) | r.getInt(1)), "pair twice in a part: " + r);
    }
    return out;
  }

  private static Set<Integer> ids(Set<Long> pairs, boolean users) {
    Set<Integer> out = new HashSet<>();
    for (long p : pairs) {
      out.add(users ? (int) (p >>> 32) : (int) p);
    }
    return out;
  }

  /** The invariants, checked on the driver independently of SplitChecks (test data are small); the summary. */
  static JsonNode assertInvariants(RunFolder run) {
    Set<Long> input = pairs(run.read(RunFolder.INPUT, "interactions"));
    Map<String, Set<Long>> parts = new HashMap<>();
    Set<Long> union = new HashSet<>();
    for (String name : SplitStage.PARTS) {
      DataSchemaAssert.matches("split." + name, part(run, name));
      parts.put(name, pairs(part(run, name)));
      for (long p : parts.get(name)) {
        assertTrue(union.add(p), "pair in two parts: " + (p >>> 32) + "," + (int) p);
      }
    }
    assertTrue(input.containsAll(union), "parts within input");
    JsonNode summary = run.readJson(RunFolder.SPLIT, "summary.json");
    long dropped = summary.path("cold_records_dropped_user_not_in_train").asLong(0)
        + summary.get("unassigned_input_records").asLong();
    for (JsonNode n : summary.path("records_dropped_user_not_in_train")) {
      dropped += n.asLong();
    }
    assertEquals(input.size(), union.size() + dropped, "parts plus dropped records = input");

    Map<String, Set<Integer>> itemsByRole = new HashMap<>();
    Dataset<Row> roles = run.read(RunFolder.SPLIT, "item_role");
    DataSchemaAssert.matches("split.item_role", roles);
    List<Row> roleRows = roles.collectAsList();
    for (Row r : roleRows) {
      itemsByRole.computeIfAbsent(r.getString(1), k -> new HashSet<>()).add(r.getInt(0));
    }
    Set<Integer> contentItems = new HashSet<>(run.read(RunFolder.INPUT, "item_content").select("item")
        .as(Encoders.INT()).collectAsList());
    assertEquals(contentItems.size(), roleRows.size(), "one role per item");
    assertEquals(contentItems, roleRows.stream().map(r -> r.getInt(0)).collect(Collectors.toSet()));

    Set<Integer> trainUsers = ids(parts.get("train"), true);
    Set<Integer> trainItems = ids(parts.get("train"), false);
    assertEquals(itemsByRole.getOrDefault("warm", Set.of()), trainItems, "warm items = train items");
    for (String name : SplitStage.PARTS) {
      assertTrue(trainUsers.containsAll(ids(parts.get(name), true)), "every user of " + name + " is in train");
    }
    for (String name : List.of("warm_val", "warm_test")) {
      assertTrue(trainItems.containsAll(ids(parts.get(name), false)), "every item of " + name + " is in train");
    }
    for (String name : List.of("cold_val", "cold_test")) {
      assertTrue(itemsByRole.getOrDefault(name, Set.of()).containsAll(ids(parts.get(name), false)),
          "items of " + name + " have that role (so none is in train or in the other cold part)");
    }
    return summary;
  }

  private static void assertSameSplit(RunFolder a, RunFolder b, boolean same) {
    long differences = 0;
    for (String name : List.of("train", "warm_val", "warm_test", "cold_val", "cold_test", "item_role")) {
      differences += part(a, name).except(part(b, name)).count() + part(b, name).except(part(a, name)).count();
    }
    assertEquals(same, differences == 0, "differences between the splits: " + differences);
  }

  @Test
  void randomSplitKeepsInvariantsAndIsSeeded() {
    List<int[]> pairs = SplitFixtures.randomPairs(150, 400, 8, 1);
    RunFolder run = split("a", pairs, new int[] {1000, 1001});
    JsonNode s = assertInvariants(run);
    long items = pairs.stream().mapToInt(p -> p[1]).distinct().count();
    long cold = items - (long) Math.floor(0.8 * items);
    assertEquals(cold, s.get("cold_items").asLong());
    assertEquals(cold / 2, s.at("/item_roles/cold_val").asLong());
    assertEquals(cold - cold / 2, s.at("/item_roles/cold_test").asLong());
    assertEquals(2, s.at("/item_roles/cold_new").asLong(), "content-only items");
    assertEquals(items - cold, s.at("/item_roles/warm").asLong());
    long warmRecords = s.at("/parts/train/records").asLong() + s.at("/parts/warm_val/records").asLong()
        + s.at("/parts/warm_test/records").asLong();
    assertEquals(warmRecords, run.read(RunFolder.INPUT, "interactions")
        .join(run.read(RunFolder.SPLIT, "item_role").filter("role = 'warm'"), "item").count());
    double valShare = s.at("/parts/warm_val/records").asDouble() / warmRecords;
    assertTrue(valShare > 0.05 && valShare < 0.12, "val share " + valShare + ": about 10% minus the moved records");
    long moved = s.at("/moved_val_to_train/unseen_user").asLong() + s.at("/moved_val_to_train/unseen_item").asLong()
        + s.at("/moved_test_to_train/unseen_user").asLong() + s.at("/moved_test_to_train/unseen_item").asLong();
    assertTrue(moved > 0, "with ~1 val record per user and ~3 per item some val/test ids are unseen in train");
    // row accounting: moved records are repaired, dropped cold records rejected, the rest used as assigned
    JsonNode accounting = s.at("/row_accounting/interactions");
    long dropped = s.get("cold_records_dropped_user_not_in_train").asLong();
    assertEquals(List.of((long) pairs.size(), pairs.size() - moved - dropped, moved, dropped), counts(accounting));
    assertEquals(s.at("/moved_val_to_train/unseen_user").asLong(),
        accounting.at("/repairs/moved_to_train_val_unseen_user").asLong());

    assertSameSplit(run, split("b", pairs, new int[] {1000, 1001}), true);
    assertSameSplit(run, split("c", pairs, new int[] {1000, 1001}, "run.seed=43"), false);
  }

  @Test
  void coldRecordsOfUsersWithoutTrainRecordsAreDropped() {
    // user 99 has one interaction only; item 7 is cold for most seeds at a cold fraction of 0.9
    List<int[]> pairs = new java.util.ArrayList<>(SplitFixtures.randomPairs(40, 60, 6, 2));
    pairs.add(new int[] {99, 7});
    for (long seed = 1; seed < 40; seed++) {
      RunFolder run = split("s" + seed, pairs, new int[0], "run.seed=" + seed, "split.cold-item-fraction=0.9");
      JsonNode s = assertInvariants(run);
      if (run.read(RunFolder.SPLIT, "item_role").filter("item = 7 and role != 'warm'").count() == 1) {
        assertTrue(s.get("cold_records_dropped_user_not_in_train").asLong() >= 1);
        assertEquals(0, part(run, "cold_val").unionByName(part(run, "cold_test")).filter("user = 99").count());
        return;
      }
    }
    throw new AssertionError("item 7 was never cold");
  }

  @Test
  void sliceOfCiteULike() {
    RunFolder run = split("slice", SplitFixtures.citeULikePairs(300), new int[0]);
    JsonNode s = assertInvariants(run);
    assertEquals(0, s.get("unassigned_input_records").asLong());
    assertTrue(s.at("/parts/train/records").asLong() > 0.75 * s.get("input_records").asLong() * 0.8);
  }

  @Test
  void paperSplitIsReproducedInGivenMode() {
    String p = SplitFixtures.PAPER_SPLIT;
    RunFolder run = split("paper", SplitFixtures.citeULikePairs(Integer.MAX_VALUE), new int[0],
        "split.mode=given", "split.given.train=\"" + p + "warm_emb.csv.gz\"",
        "split.given.warm-val=\"" + p + "warm_val.csv.gz\"", "split.given.warm-test=\"" + p + "warm_test.csv.gz\"",
        "split.given.cold-val=\"" + p + "cold_item_val.csv.gz\"",
        "split.given.cold-test=\"" + p + "cold_item_test.csv.gz\"");
    JsonNode s = assertInvariants(run);
    assertEquals(204986, s.get("input_records").asLong());
    assertEquals(132073, s.at("/parts/train/records").asLong());
    assertEquals(16471, s.at("/parts/warm_val/records").asLong());
    assertEquals(16482, s.at("/parts/warm_test/records").asLong());
    assertEquals(19802, s.at("/parts/cold_val/records").asLong());
    assertEquals(20158, s.at("/parts/cold_test/records").asLong());
    assertEquals(5551, s.at("/parts/train/users").asLong());
    assertEquals(1698, s.at("/item_roles/cold_val").asLong());
    assertEquals(1698, s.at("/item_roles/cold_test").asLong());
    assertEquals(13584, s.at("/item_roles/warm").asLong());
    assertEquals(0, s.get("unassigned_input_records").asLong());
  }

  @Test
  void givenSplitWithAColdItemInTrainFails() throws IOException {
    List<int[]> pairs = List.of(new int[] {0, 0}, new int[] {0, 1}, new int[] {1, 1}, new int[] {1, 2},
        new int[] {2, 0}, new int[] {2, 3}, new int[] {1, 3});
    Path train = Files.writeString(dir.resolve("train.csv"), "user,item\n0,0\n0,1\n1,1\n2,3\n");
    Path warmVal = Files.writeString(dir.resolve("wv.csv"), "user,item\n2,0\n");
    Path empty = Files.writeString(dir.resolve("empty.csv"), "user,item\n");
    Path coldVal = Files.writeString(dir.resolve("cv.csv"), "user,item\n1,2\n");
    Path badColdTest = Files.writeString(dir.resolve("ct.csv"), "user,item\n1,3\n");
    String[] good = {"split.mode=given", "split.given.train=\"" + train + "\"",
        "split.given.warm-val=\"" + warmVal + "\"", "split.given.warm-test=\"" + empty + "\"",
        "split.given.cold-val=\"" + coldVal + "\"", "split.given.cold-test=\"" + empty + "\""};
    RunFolder run = split("good", pairs, new int[] {5}, good);
    assertEquals(1, assertInvariants(run).get("unassigned_input_records").asLong(), "(1,3) is in no given file");
    assertEquals(List.of("warm", "warm", "cold_val", "warm", "cold_new"), run.read(RunFolder.SPLIT, "item_role")
        .orderBy("item").select("role").as(Encoders.STRING()).collectAsList());

    String[] bad = good.clone();
    bad[5] = "split.given.cold-test=\"" + badColdTest + "\"";
    SplitInvariantException e = assertThrows(SplitInvariantException.class, () -> split("bad", pairs, new int[0], bad));
    assertTrue(e.getMessage().contains("1 cold_test (given file " + badColdTest + ") items occur in train (given file "
        + train + ") (e.g. item 3)"), e.getMessage());
    assertNotEquals(true, new RunFolder(org.aldi.testing.TestSpark.get(), dir.resolve("bad").toString())
        .isComplete(RunFolder.SPLIT));
  }

  /** Case 6 of issue 6: a given split whose test users have no train record (no teacher embedding). */
  @Test
  void givenSplitDropsAndCountsValidationAndTestRecordsOfUsersWithoutTrainRecords() throws IOException {
    // items 0, 1 warm, 2 cold_val, 3 cold_test; user 3 has records in warm_test and cold_val only
    List<int[]> pairs = List.of(new int[] {0, 0}, new int[] {1, 1}, new int[] {2, 0}, new int[] {2, 1},
        new int[] {0, 1}, new int[] {1, 0}, new int[] {3, 0}, new int[] {0, 2}, new int[] {3, 2}, new int[] {1, 3});
    Path train = Files.writeString(dir.resolve("train.csv"), "user,item\n0,0\n1,1\n2,0\n2,1\n");
    Path warmVal = Files.writeString(dir.resolve("wv.csv"), "user,item\n0,1\n");
    Path warmTest = Files.writeString(dir.resolve("wt.csv"), "user,item\n1,0\n3,0\n");
    Path coldVal = Files.writeString(dir.resolve("cv.csv"), "user,item\n0,2\n3,2\n");
    Path coldTest = Files.writeString(dir.resolve("ct.csv"), "user,item\n1,3\n");
    RunFolder run = split("given", pairs, new int[0], "split.mode=given", "split.given.train=\"" + train + "\"",
        "split.given.warm-val=\"" + warmVal + "\"", "split.given.warm-test=\"" + warmTest + "\"",
        "split.given.cold-val=\"" + coldVal + "\"", "split.given.cold-test=\"" + coldTest + "\"");

    JsonNode s = assertInvariants(run);
    assertEquals(Set.of(1L << 32), pairs(part(run, "warm_test")), "(3,0) dropped, (1,0) kept");
    assertEquals(Set.of(2L), pairs(part(run, "cold_val")), "(3,2) dropped, (0,2) kept");
    JsonNode dropped = s.get("records_dropped_user_not_in_train");
    assertEquals(List.of(0L, 1L, 1L, 0L), List.of(dropped.get("warm_val").asLong(), dropped.get("warm_test").asLong(),
        dropped.get("cold_val").asLong(), dropped.get("cold_test").asLong()));
    JsonNode accounting = s.get("row_accounting");
    JsonNode interactions = accounting.get("interactions");
    assertEquals(List.of(10L, 8L, 0L, 2L), counts(interactions));
    assertEquals(1, interactions.get("rejections").get("warm_test_user_not_in_train").asLong());
    assertEquals(1, interactions.get("rejections").get("cold_val_user_not_in_train").asLong());
    assertEquals(List.of(2L, 1L, 0L, 1L), counts(accounting.get("given warm_test")));
    assertEquals(warmTest.toString(), accounting.get("given warm_test").get("source").asText());
    assertEquals(List.of(4L, 4L, 0L, 0L), counts(accounting.get("given train")));
  }

  /** rows_in, rows_used, rows_repaired, rows_rejected of a row-accounting entry. */
  static List<Long> counts(JsonNode entry) {
    return List.of(entry.get("rows_in").asLong(), entry.get("rows_used").asLong(), entry.get("rows_repaired").asLong(),
        entry.get("rows_rejected").asLong());
  }
}
