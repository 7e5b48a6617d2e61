package org.aldi.split;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.aldi.config.ConfigLoader;
import org.aldi.config.Settings;
import org.aldi.store.RunFolder;
import org.aldi.store.StageOutput;
import org.aldi.testing.TestSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Test inputs for the split and sample stages: an input/ stage output written directly, without ingest. */
public final class SplitFixtures {
  public static final String USERS = "src/main/data/citeulike-a/users.dat.gz";
  public static final String PAPER_SPLIT = "src/main/data/citeulike-a/paper-split/";

  private SplitFixtures() {}

  public static Settings settings(Path runDir, String... overrides) {
    List<String> all = new ArrayList<>(List.of("run.dir=\"" + runDir + "\""));
    all.addAll(List.of(overrides));
    return ConfigLoader.load(List.of(), all);
  }

  /** (user, item) pairs of the first maxUsers lines of users.dat (user = 0-based line number). */
  public static List<int[]> citeULikePairs(int maxUsers) {
    List<int[]> pairs = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(new FileInputStream(USERS)), StandardCharsets.UTF_8))) {
      String line;
      for (int user = 0; user < maxUsers && (line = in.readLine()) != null; user++) {
        String[] tokens = line.trim().split(" ");
        for (int t = 1; t < tokens.length; t++) {
          pairs.add(new int[] {user, Integer.parseInt(tokens[t])});
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return pairs;
  }

  /** Random pairs: each of the users interacts with a random number (minPerUser..2*minPerUser) of items. */
  public static List<int[]> randomPairs(int users, int items, int minPerUser, long seed) {
    Random random = new Random(seed);
    List<int[]> pairs = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      TreeSet<Integer> chosen = new TreeSet<>();
      int n = minPerUser + random.nextInt(minPerUser + 1);
      while (chosen.size() < n) {
        chosen.add(random.nextInt(items));
      }
      for (int i : chosen) {
        pairs.add(new int[] {u, i});
      }
    }
    return pairs;
  }

  /** Writes input/interactions and input/item_content (the pairs' items plus contentOnlyItems, 1-d content). */
  public static RunFolder writeInput(Settings settings, List<int[]> pairs, int... contentOnlyItems) {
    RunFolder run = new RunFolder(TestSpark.get(), settings.run.dir);
    List<Row> rows = new ArrayList<>();
    TreeSet<Integer> items = new TreeSet<>();
    for (int[] p : pairs) {
      rows.add(RowFactory.create(p[0], p[1], null, null));
      items.add(p[1]);
    }
    for (int i : contentOnlyItems) {
      items.add(i);
    }
    List<Row> content = new ArrayList<>();
    for (int i : items) {
      content.add(RowFactory.create(i, new float[] {1f}, true));
    }
    StructType interactionSchema = new StructType().add("user", DataTypes.IntegerType, false)
        .add("item", DataTypes.IntegerType, false).add("weight", DataTypes.FloatType, true)
        .add("timestamp", DataTypes.LongType, true);
    StructType contentSchema = new StructType().add("item", DataTypes.IntegerType, false)
        .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
        .add("has_content", DataTypes.BooleanType, false);
    Dataset<Row> interactions = TestSpark.get().createDataFrame(rows, interactionSchema).repartition(3);
    StageOutput out = StageOutput.begin(run, RunFolder.INPUT, settings);
    out.writeParquet("interactions", interactions, rows.size());
    out.writeParquet("item_content", TestSpark.get().createDataFrame(content, contentSchema), content.size());
    out.commit();
    return run;
  }
}
