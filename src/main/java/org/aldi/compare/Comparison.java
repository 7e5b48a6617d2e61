package org.aldi.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.aldi.backbone.BackboneStage;
import org.aldi.baselines.ModelStage;
import org.aldi.config.ConfigLoader;
import org.aldi.config.Settings;
import org.aldi.evaluate.EvaluateStage;
import org.aldi.ingest.IngestStage;
import org.aldi.ranking.ColdStartEvaluator;
import org.aldi.ranking.ColdStartEvaluator.Part;
import org.aldi.ranking.ColdStartEvaluator.Task;
import org.aldi.report.ReportStage;
import org.aldi.sample.SampleStage;
import org.aldi.score.ScoringVectors;
import org.aldi.split.SplitStage;
import org.aldi.store.RunFolder;
import org.aldi.store.Lineage;
import org.aldi.store.Preflight;
import org.aldi.store.Stage;
import org.aldi.store.StageInputs;
import org.aldi.store.StageOutput;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The comparison of aldi.compare: for every seed, one run folder with ingest, split, triples and backbone
 * (run.seed = seed); for every row and seed, a run folder that shares those stages and holds the row's model, its
 * evaluation under every protocol (compare/result.json) and, with aldi.compare.reports, the eval and report stages
 * (Figure 3). After every run the table is rewritten into aldi.compare.out. Every stage, the row's evaluation
 * included, runs through {@link RunFolder#execute} with its lineage, and one whose output is complete and was made
 * from the same inputs (its lineage's fingerprints: configuration keys, code version, the upstream outputs it was
 * built from; as under aldi.run.if-exists = resume) is not run again, so an interrupted comparison resumes where it
 * stopped, and a row whose backbone was made again is redone.
 */
public final class Comparison {
  private static final Logger LOG = LoggerFactory.getLogger(Comparison.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Stage folder of a row run that holds its evaluation under every protocol (result.json). */
  static final String COMPARE = "compare";
  /** Stage folder of a seed's run folder that holds the wall times of its stages (seconds.json). */
  static final String TIMING = "timing";
  private static final Set<String> SHARED = Set.of(RunFolder.INPUT, RunFolder.SPLIT, RunFolder.TRIPLES,
      RunFolder.BACKBONE);
  private static final List<String> FIGURE3 = List.of("rating.svg", "ranking.svg", "identification.svg");

  private final String command;
  private final Settings base;
  private final List<ComparisonTable.Protocol> protocols;
  private final Map<Long, Settings> seeds = new LinkedHashMap<>();
  private final Map<String, Settings> rows = new LinkedHashMap<>();
  /** Settings of each seed and protocol for the evaluation (a row's overrides touch distill.* only). */
  private final Map<String, Settings> evaluations = new LinkedHashMap<>();
  /** The evaluators of each seed and protocol, whose prepared ground truth all rows of the seed share. */
  private final Map<String, ColdStartEvaluator> evaluators = new LinkedHashMap<>();
  /** Runs that failed in this invocation ("row, seed N: error"): reported in the table, tried again next time. */
  private final List<String> failures = new ArrayList<>();

  private Comparison(String command, List<String> confFiles, List<String> overrides) {
    this.command = command;
    this.base = ConfigLoader.load(confFiles, overrides);
    Settings.Compare c = base.compare;
    this.protocols = c.maxUsers.stream().map(ComparisonTable.Protocol::new).toList();
    for (long seed : c.seeds) {
      String seedDir = seedDir(seed);
      List<String> seedOverrides = with(overrides, "run.dir=" + quoted(seedDir), "run.seed=" + seed);
      seeds.put(seed, ConfigLoader.load(confFiles, seedOverrides));
      for (ComparisonTable.Protocol p : protocols) {
        evaluations.put(seed + "/" + p.key(),
            ConfigLoader.load(confFiles, with(seedOverrides, "evaluate.max-users=" + p.maxUsers())));
      }
      for (Settings.Compare.Row row : c.rows) {
        List<String> o = with(overrides, "run.dir=" + quoted(seedDir + "/rows/" + row.id()), "run.seed=" + seed,
            "distill.method=" + quoted(row.method()));
        o.addAll(row.set());
        rows.put(key(row, seed), ConfigLoader.load(confFiles, o));
      }
    }
  }

  /**
   * Loads and checks the configuration of every seed, row and protocol, so that a bad value stops the job before
   * Spark starts. The command is recorded in the table.
   */
  public static Comparison plan(String command, List<String> confFiles, List<String> overrides) {
    return new Comparison(command, confFiles, overrides);
  }

  /**
   * Runs what is missing, row by row and seed by seed, rewriting the table after every run. A run that fails is
   * logged, listed in the table and left for the next invocation, and the others go on; the job then fails.
   */
  public void run(SparkSession spark) {
    Map<Long, RunFolder> bases = new LinkedHashMap<>();
    long start = System.nanoTime();
    writeTable(spark);
    try {
      for (Settings.Compare.Row row : base.compare.rows) {
        for (long seed : base.compare.seeds) {
          try {
            RunFolder seedRun = bases.computeIfAbsent(seed, s -> prepareSeed(spark, s));
            runRow(seedRun, row, seed);
          } catch (RuntimeException e) {
            LOG.error("compare: {}, seed {} failed; going on with the next run", row.id(), seed, e);
            failures.add(row.id() + ", seed " + seed + ": " + e);
          }
          writeTable(spark);
        }
      }
    } finally {
      evaluators.values().forEach(ColdStartEvaluator::close);
      evaluators.clear();
    }
    LOG.info("compare: done in {} min; table in {}", String.format(Locale.ROOT, "%.1f",
        (System.nanoTime() - start) / 60e9), base.compare.out);
    if (!failures.isEmpty()) {
      throw new IllegalStateException(failures.size() + " run(s) failed (run the command again to retry them): "
          + String.join("; ", failures));
    }
  }

  /** Ingest, split, triples and backbone of a seed, each unless up to date. */
  private RunFolder prepareSeed(SparkSession spark, long seed) {
    Settings s = seeds.get(seed);
    RunFolder run = new RunFolder(spark, s.run.dir);
    List<Stage> stages = List.of(new IngestStage(), new SplitStage(), new SampleStage(), new BackboneStage());
    Preflight.check(run, s, stages);
    Map<String, Double> seconds = new LinkedHashMap<>();
    for (Stage stage : stages) {
      Double t = unlessUpToDate(run, stage, s, "seed " + seed);
      if (t != null) {
        seconds.put(stage.name(), t);
      }
    }
    if (!seconds.isEmpty()) {
      ObjectNode timing = run.isComplete(TIMING) ? (ObjectNode) run.readJson(TIMING, "seconds.json")
          : JSON.createObjectNode();
      seconds.forEach(timing::put);
      StageOutput.write(run, TIMING, s, out -> out.writeJson("seconds.json", timing));
    }
    return run;
  }

  /**
   * Runs the stage unless its output is complete and made from the same inputs; returns its wall seconds, or null
   * when it was reused.
   */
  private static Double unlessUpToDate(RunFolder run, Stage stage, Settings s, String what) {
    String staleness = StageInputs.staleness(run, stage, s);
    if (staleness == null) {
      LOG.info("compare: {}: {} is up to date, reused", what, stage.name());
      return null;
    }
    LOG.info("compare: {}: {} runs, because {}", what, stage.name(), staleness);
    return timed(what + ": " + stage.name(), () -> run.execute(stage, s));
  }

  private void runRow(RunFolder seedRun, Settings.Compare.Row row, long seed) {
    Settings s = rows.get(key(row, seed));
    RunFolder run = seedRun.sharing(s.run.dir, SHARED);
    String what = row.id() + ", seed " + seed;
    Evaluation evaluation = new Evaluation(seedRun, row, seed);
    if (StageInputs.staleness(run, evaluation, s) == null) {
      LOG.info("compare: {} is complete, reused", what);
      return;
    }
    evaluation.modelSeconds = unlessUpToDate(run, new ModelStage(), s, what + " (" + row.method() + ")");
    if (base.compare.reports.contains(row.id())) {
      Double eval = unlessUpToDate(run, new EvaluateStage(), s, what);
      Double report = unlessUpToDate(run, new ReportStage(), s, what);
      evaluation.reportSeconds = (eval == null ? 0 : eval) + (report == null ? 0 : report);
    }
    unlessUpToDate(run, evaluation, s, what);
  }

  /**
   * The "compare" output of a row run: its model evaluated under every protocol (result.json), with the wall times
   * of its model, evaluation and report.
   */
  private final class Evaluation implements Stage {
    private final RunFolder seedRun;
    private final Settings.Compare.Row row;
    private final long seed;
    /** Seconds of the model and of the eval and report stages in this invocation (null: not run now). */
    Double modelSeconds;
    Double reportSeconds;

    Evaluation(RunFolder seedRun, Settings.Compare.Row row, long seed) {
      this.seedRun = seedRun;
      this.row = row;
      this.seed = seed;
    }

    @Override
    public String name() {
      return COMPARE;
    }

    @Override
    public Lineage lineage(Settings settings) {
      return Lineage.of(List.of(RunFolder.SPLIT, RunFolder.BACKBONE, RunFolder.MODEL), "run.seed", "evaluate",
          "compare.max-users");
    }

    @Override
    public void run(RunFolder run, Settings s) {
      String what = row.id() + ", seed " + seed;
      ObjectNode result = JSON.createObjectNode();
      result.put("row", row.id()).put("name", row.name()).put("method", row.method()).put("seed", seed);
      result.set("set", JSON.valueToTree(row.set()));
      ObjectNode protocolsNode = result.putObject("protocols");
      double evaluateSeconds = timed(what + ": evaluation", () -> {
        ScoringVectors vectors = ScoringVectors.read(run);
        for (ComparisonTable.Protocol p : protocols) {
          String key = seed + "/" + p.key();
          Settings e = evaluations.get(key);
          ColdStartEvaluator evaluator = evaluators.computeIfAbsent(key,
              k -> new ColdStartEvaluator(ColdStartEvaluator.Split.read(seedRun), e));
          ObjectNode node = protocolsNode.putObject(p.key());
          node.put("max_users", p.maxUsers());
          ObjectNode metrics = node.putObject("metrics");
          ObjectNode users = node.putObject("users");
          for (Task task : Task.values()) {
            ColdStartEvaluator.Evaluation ev = evaluator.evaluate(task, Part.TEST, vectors.warmUsers(),
                vectors.warmItems(), vectors.coldUsers(), vectors.coldItems(), e.evaluate.ks);
            metrics.set(task.key(), JSON.valueToTree(ev.means()));
            users.put(task.key(), ev.users());
          }
        }
      });
      JsonNode history = run.readJson(RunFolder.MODEL, "history.json");
      ObjectNode model = result.putObject("model");
      putNullable(model, "wall_seconds", modelSeconds != null ? modelSeconds : epochSeconds(history));
      model.put("timed", modelSeconds != null);
      if (history.has("best_epoch")) {
        model.put("best_epoch", history.get("best_epoch").asInt());
        model.put("epochs", history.get("epochs").size());
      }
      result.put("evaluate_seconds", evaluateSeconds);
      putNullable(result, "report_seconds", reportSeconds);
      StageOutput.write(run, COMPARE, s, out -> out.writeJson("result.json", result));
      LOG.info("compare: {} done: {}", what, protocolsNode);
    }
  }

  /** Sum of the epochs' seconds of a model's history (for a model trained by an earlier invocation); null without. */
  private static Double epochSeconds(JsonNode history) {
    if (!history.has("epochs")) {
      return null;
    }
    double sum = 0;
    for (JsonNode e : history.get("epochs")) {
      sum += e.path("epoch_seconds").asDouble();
    }
    return sum;
  }

  /** Rewrites comparison.json, comparison.md and the first seed's Figure-3 plots in aldi.compare.out. */
  private void writeTable(SparkSession spark) {
    List<ComparisonTable.Result> results = new ArrayList<>();
    Map<String, String> reports = new LinkedHashMap<>();
    for (Settings.Compare.Row row : base.compare.rows) {
      for (long seed : base.compare.seeds) {
        Settings s = rows.get(key(row, seed));
        RunFolder seedRun = new RunFolder(spark, seeds.get(seed).run.dir);
        RunFolder run = seedRun.sharing(s.run.dir, SHARED);
        if (StageInputs.staleness(run, new Evaluation(seedRun, row, seed), s) == null) {
          results.add(ComparisonTable.result(run.readJson(COMPARE, "result.json"),
              run.readJson(RunFolder.MODEL, "history.json")));
          if (!reports.containsKey(row.id()) && run.isComplete(RunFolder.REPORT)) {
            reports.put(row.id(), s.run.dir);
          }
        }
      }
    }
    ComparisonTable table = new ComparisonTable(base.compare.rows, base.compare.seeds, protocols,
        base.evaluate.ks[0], results);
    Path out = Path.of(base.compare.out);
    try {
      Files.createDirectories(out.resolve("figure3"));
      List<String> figures = new ArrayList<>();
      for (Map.Entry<String, String> r : reports.entrySet()) {
        RunFolder run = new RunFolder(spark, r.getValue());
        for (String plot : FIGURE3) {
          String name = r.getKey() + "-" + plot;
          try (InputStream in = run.open(RunFolder.REPORT, plot)) {
            writeAtomically(out.resolve("figure3").resolve(name), in.readAllBytes());
          }
          figures.add(name);
        }
      }
      ObjectNode json = table.json();
      json.put("command", command);
      json.set("timing", timing(spark, results));
      json.set("reports", JSON.valueToTree(reports));
      json.set("failed", JSON.valueToTree(failures));
      json.set("configuration", JSON.readTree(base.renderJson()));
      writeAtomically(out.resolve("comparison.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
      writeAtomically(out.resolve("comparison.md"), markdown(table, json.get("timing"), reports, figures, out)
          .getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the comparison table to " + out, e);
    }
  }

  /** Wall times: the shared stages per seed, and per row the mean model, evaluation and report seconds. */
  private ObjectNode timing(SparkSession spark, List<ComparisonTable.Result> results) {
    ObjectNode timing = JSON.createObjectNode();
    ObjectNode perSeed = timing.putObject("seed_stages_seconds");
    double total = 0;
    for (long seed : base.compare.seeds) {
      RunFolder run = new RunFolder(spark, seeds.get(seed).run.dir);
      if (run.isComplete(TIMING)) {
        JsonNode t = run.readJson(TIMING, "seconds.json");
        perSeed.set(Long.toString(seed), t);
        for (JsonNode v : t) {
          total += v.asDouble();
        }
      }
    }
    for (ComparisonTable.Result r : results) {
      total += r.modelSeconds() == null ? 0 : r.modelSeconds();
      total += r.otherSeconds();
    }
    timing.put("total_seconds", total);
    return timing;
  }

  private String markdown(ComparisonTable table, JsonNode timing, Map<String, String> reports, List<String> figures,
      Path out) {
    Settings.Compare c = base.compare;
    StringBuilder md = new StringBuilder();
    md.append("# ").append(c.title).append("\n\n")
        .append("Made by `org.aldi.jobs.CompareJob` (").append(command.isEmpty() ? "" : "`" + command + "`")
        .append("). Each row is trained once per seed (").append(c.seeds).append("; the seed drives the triples, the "
            + "backbone and the towers' initialisation) on the same data and split; every trained model is "
            + "evaluated under each protocol. Cells: mean ± sample standard deviation over the seeds done; the "
            + "paper's MF row (Table 1, CiteULike, its own text content) is in italics under ours. Overall ranks "
            + "warm and cold items together (Eq. 1, 9), cold ranks cold items (Eq. 3), warm ranks warm items "
            + "(Eq. 2).\n\n");
    md.append(table.markdownTables());
    if (!failures.isEmpty()) {
      md.append("### Failed runs (this invocation; running the command again retries them)\n\n");
      failures.forEach(f -> md.append("- ").append(f).append('\n'));
      md.append('\n');
    }
    List<String> checks = table.checks();
    if (!checks.isEmpty()) {
      md.append("### Targets\n\n");
      checks.forEach(line -> md.append("- ").append(line).append('\n'));
      md.append('\n');
    }
    md.append("### Runs\n\nThe validation metric chose each run's epoch (cold-validation NDCG@")
        .append(base.evaluate.validationK).append(", all validation users unless evaluate.max-users says otherwise); "
            + "rows are best compared by it, not by the test metrics above.\n\n")
        .append("| Row | method | overrides | validation (best epoch) | model minutes (mean) | best epochs |\n")
        .append("|---|---|---|---:|---:|---|\n");
    for (Settings.Compare.Row row : c.rows) {
      List<ComparisonTable.Result> done = table.resultsOf(row.id());
      double minutes = done.stream().filter(r -> r.modelSeconds() != null).mapToDouble(r -> r.modelSeconds() / 60)
          .average().orElse(Double.NaN);
      md.append("| ").append(row.id()).append(" | ").append(row.method()).append(" | ")
          .append(row.set().isEmpty() ? "" : "`" + String.join("`, `", row.set()) + "`").append(" | ")
          .append(ComparisonTable.cell(table.validation(row.id()))).append(" | ")
          .append(Double.isNaN(minutes) ? "-" : String.format(Locale.ROOT, "%.1f", minutes)).append(" | ")
          .append(done.stream().map(r -> r.bestEpoch() == null ? "-" : r.bestEpoch().toString()).toList())
          .append(" |\n");
    }
    md.append(String.format(Locale.ROOT, "%nWall time of all runs so far (sum of the recorded stage times): %.1f h."
        + " Per seed, the shared stages (seconds): %s.%n%n", timing.get("total_seconds").asDouble() / 3600,
        timing.get("seed_stages_seconds")));
    if (!figures.isEmpty()) {
      md.append("### Figure 3 (first seed)\n\nTeacher against student on training triples: (a) scores, (b) ranking "
          + "gap, (c) identification distance. Each row's full report (its run folder, after running the "
          + "command): ");
      List<String> links = new ArrayList<>();
      for (Map.Entry<String, String> r : reports.entrySet()) {
        links.add("[" + r.getKey() + "](" + relative(out, Path.of(r.getValue(), "report", "index.html")) + ")");
      }
      md.append(String.join(", ", links)).append(".\n\n");
      for (String f : figures) {
        md.append("![").append(f).append("](figure3/").append(f).append(")\n");
      }
      md.append('\n');
    }
    md.append("### The paper's MF rows (Table 1, CiteULike)\n\n").append(ComparisonTable.markdownPaper())
        .append("\n### Configuration\n\n<details><summary>Effective configuration (JSON)</summary>\n\n```json\n")
        .append(base.renderJson()).append("\n```\n\n</details>\n");
    return md.toString();
  }

  private static String relative(Path from, Path to) {
    return from.toAbsolutePath().normalize().relativize(to.toAbsolutePath().normalize()).toString();
  }

  private static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.write(temp, bytes);
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static double timed(String what, Runnable body) {
    LOG.info("compare: {}: start", what);
    long start = System.nanoTime();
    body.run();
    double seconds = (System.nanoTime() - start) / 1e9;
    LOG.info("compare: {}: done in {} s", what, String.format(Locale.ROOT, "%.1f", seconds));
    return seconds;
  }

  private String seedDir(long seed) {
    return base.run.dir + "/seed-" + seed;
  }

  private static String key(Settings.Compare.Row row, long seed) {
    return row.id() + "/" + seed;
  }

  private static List<String> with(List<String> overrides, String... more) {
    List<String> all = new ArrayList<>(overrides);
    all.addAll(List.of(more));
    return all;
  }

  /** A HOCON string literal. */
  private static String quoted(String value) {
    return JSON.valueToTree(value).toString();
  }

  private static void putNullable(ObjectNode o, String key, Double value) {
    if (value == null) {
      o.putNull(key);
    } else {
      o.put(key, value);
    }
  }
}
