package org.aldi.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.aldi.config.Settings;

/**
 * The comparison table: per row of aldi.compare.rows, evaluation protocol, task (overall, cold, warm) and metric
 * (Recall@K, NDCG@K), the mean and sample standard deviation over the seeds that have completed, with the paper's
 * MF row of the method beside it (rows without overrides only). Written as JSON and as Markdown.
 */
public final class ComparisonTable {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> TASKS = PaperTable1.TASKS;
  static final List<String> METRICS = PaperTable1.METRICS;
  private static final Map<String, String> TASK_NAMES = Map.of("overall", "Overall", "cold", "Cold", "warm", "Warm");
  private static final Map<String, String> METRIC_NAMES = Map.of("recall", "Recall", "ndcg", "NDCG");

  /** An evaluation protocol: evaluate.max-users = maxUsers (0 = all test users). */
  public record Protocol(int maxUsers) {
    public String key() {
      return maxUsers == 0 ? "all-users" : "first-" + maxUsers + "-users";
    }

    public String label() {
      return maxUsers == 0 ? "all test users"
          : String.format(Locale.ROOT, "the %,d smallest user ids of each test user list (reference code)", maxUsers);
    }
  }

  /**
   * One trained and evaluated run: metrics by protocol key, then task, then metric key ("recall@20"); wall seconds of
   * the model stage (null for a method without training), of its evaluation and report; the best epoch and its
   * validation metric, which chose it (cold-validation NDCG@K; null without training).
   */
  public record Result(String row, long seed, Map<String, Map<String, Map<String, Double>>> metrics,
      Double modelSeconds, double otherSeconds, Integer bestEpoch, Double validation) {}

  /** Mean and sample standard deviation (NaN for fewer than two values) of a list. */
  public record Stat(List<Double> values) {
    public double mean() {
      return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    public double std() {
      int n = values.size();
      if (n < 2) {
        return Double.NaN;
      }
      double m = mean();
      return Math.sqrt(values.stream().mapToDouble(v -> (v - m) * (v - m)).sum() / (n - 1));
    }
  }

  private final List<Settings.Compare.Row> rows;
  private final List<Long> seeds;
  private final List<Protocol> protocols;
  private final int k;
  private final List<Result> results;

  public ComparisonTable(List<Settings.Compare.Row> rows, List<Long> seeds, List<Protocol> protocols, int k,
      List<Result> results) {
    this.rows = rows;
    this.seeds = seeds;
    this.protocols = protocols;
    this.k = k;
    this.results = results;
  }

  /** The results of a row, in the order of the seeds. */
  List<Result> resultsOf(String row) {
    List<Result> list = new ArrayList<>();
    for (long seed : seeds) {
      results.stream().filter(r -> r.row().equals(row) && r.seed() == seed).findFirst().ifPresent(list::add);
    }
    return list;
  }

  /** The statistic of a row under a protocol, for a task and metric ("recall" or "ndcg", at K). */
  public Stat stat(String row, Protocol protocol, String task, String metric) {
    List<Double> values = new ArrayList<>();
    for (Result r : resultsOf(row)) {
      values.add(r.metrics().get(protocol.key()).get(task).get(metric + "@" + k));
    }
    return new Stat(values);
  }

  /** The paper's row beside a row of ours: that of its method, for a row without overrides. */
  static Optional<PaperTable1.Row> paperRow(Settings.Compare.Row row) {
    return row.set().isEmpty() ? PaperTable1.of(row.method()) : Optional.empty();
  }

  /** .2838 (the paper's style: four decimals, no leading zero); "-" for NaN. */
  static String number(double x) {
    if (Double.isNaN(x)) {
      return "-";
    }
    String s = String.format(Locale.ROOT, "%.4f", x);
    return s.replaceFirst("^(-?)0\\.", "$1.");
  }

  /** "mean ± std", or the mean alone with fewer than two values; "-" without values. */
  static String cell(Stat s) {
    if (s.values().isEmpty()) {
      return "-";
    }
    return s.values().size() < 2 ? number(s.mean()) : number(s.mean()) + " ± " + number(s.std());
  }

  public ObjectNode json() {
    ObjectNode root = JSON.createObjectNode();
    root.put("k", k);
    root.set("seeds", JSON.valueToTree(seeds));
    ArrayNode ps = root.putArray("protocols");
    for (Protocol p : protocols) {
      ps.addObject().put("key", p.key()).put("max_users", p.maxUsers()).put("label", p.label());
    }
    ArrayNode rowsNode = root.putArray("rows");
    for (Settings.Compare.Row row : rows) {
      ObjectNode r = rowsNode.addObject();
      r.put("id", row.id()).put("name", row.name()).put("method", row.method());
      r.set("set", JSON.valueToTree(row.set()));
      List<Result> done = resultsOf(row.id());
      r.set("seeds_done", JSON.valueToTree(done.stream().map(Result::seed).toList()));
      ObjectNode metrics = r.putObject("metrics");
      for (Protocol p : protocols) {
        ObjectNode byTask = metrics.putObject(p.key());
        for (String task : TASKS) {
          ObjectNode byMetric = byTask.putObject(task);
          for (String metric : METRICS) {
            Stat s = stat(row.id(), p, task, metric);
            ObjectNode m = byMetric.putObject(metric + "@" + k);
            putNumber(m, "mean", s.mean());
            putNumber(m, "std", s.std());
            m.set("values", JSON.valueToTree(s.values()));
          }
        }
      }
      ObjectNode runs = r.putObject("runs");
      runs.set("model_seconds", JSON.valueToTree(done.stream().map(Result::modelSeconds).toList()));
      runs.set("best_epoch", JSON.valueToTree(done.stream().map(Result::bestEpoch).toList()));
      runs.set("best_validation", JSON.valueToTree(done.stream().map(Result::validation).toList()));
      Optional<PaperTable1.Row> paper = paperRow(row);
      if (paper.isPresent()) {
        r.set("paper", paperJson(paper.get()));
      } else {
        r.putNull("paper");
      }
    }
    ArrayNode paper = root.putArray("paper_table1_mf_citeulike");
    for (PaperTable1.Row p : PaperTable1.MF_CITEULIKE) {
      ObjectNode o = paperJson(p);
      o.put("method", p.method());
      paper.add(o);
    }
    return root;
  }

  private ObjectNode paperJson(PaperTable1.Row p) {
    ObjectNode o = JSON.createObjectNode();
    for (String task : TASKS) {
      ObjectNode t = o.putObject(task);
      for (String metric : METRICS) {
        t.put(metric + "@20", p.value(task, metric));
      }
    }
    return o;
  }

  private static void putNumber(ObjectNode o, String key, double v) {
    if (Double.isNaN(v)) {
      o.putNull(key);
    } else {
      o.put(key, v);
    }
  }

  /** One Markdown table per protocol, each of our rows followed by the paper's row of its method. */
  public String markdownTables() {
    StringBuilder md = new StringBuilder();
    for (Protocol p : protocols) {
      md.append("### ").append(Character.toUpperCase(p.label().charAt(0))).append(p.label().substring(1))
          .append("\n\n").append(header("Method", k)).append(" seeds |\n").append(separator()).append("---:|\n");
      for (Settings.Compare.Row row : rows) {
        md.append("| ").append(row.name());
        for (String task : TASKS) {
          for (String metric : METRICS) {
            md.append(" | ").append(cell(stat(row.id(), p, task, metric)));
          }
        }
        md.append(" | ").append(resultsOf(row.id()).size()).append(" |\n");
        Optional<PaperTable1.Row> paper = paperRow(row);
        if (paper.isPresent()) {
          md.append(paperLine("*paper, Table 1*", paper.get())).append(" | |\n");
        }
      }
      md.append('\n');
    }
    return md.toString();
  }

  /** The paper's MF rows on CiteULike, all of them. */
  public static String markdownPaper() {
    StringBuilder md = new StringBuilder(header("Method (paper, MF backbone, CiteULike)", 20)).append('\n')
        .append(separator()).append('\n');
    for (PaperTable1.Row p : PaperTable1.MF_CITEULIKE) {
      md.append(paperLine(p.method(), p)).append(" |\n");
    }
    return md.toString();
  }

  private static String header(String first, int k) {
    StringBuilder h = new StringBuilder("| ").append(first);
    for (String task : TASKS) {
      for (String metric : METRICS) {
        h.append(" | ").append(TASK_NAMES.get(task)).append(' ').append(METRIC_NAMES.get(metric)).append('@').append(k);
      }
    }
    return h.append(" |").toString();
  }

  private static String separator() {
    return "|---|" + "---:|".repeat(TASKS.size() * METRICS.size());
  }

  private static String paperLine(String name, PaperTable1.Row p) {
    StringBuilder line = new StringBuilder("| ").append(name);
    for (String task : TASKS) {
      for (String metric : METRICS) {
        line.append(" | *").append(number(p.value(task, metric))).append('*');
      }
    }
    return line.toString();
  }

  /**
   * The issue's targets, as far as the rows allow: the backbone's warm Recall@K and NDCG@K against the paper's MF
   * (.2838, .1933) under each protocol; ALDI's cold and overall Recall@K against DeepMusic's and DropoutNet's, met
   * when the gap of the means exceeds twice the larger of the two standard deviations.
   */
  public List<String> checks() {
    List<String> lines = new ArrayList<>();
    Optional<Settings.Compare.Row> backbone = plainRow("backbone-only");
    Optional<Settings.Compare.Row> aldi = plainRow("aldi");
    for (Protocol p : protocols) {
      if (backbone.isPresent() && !resultsOf(backbone.get().id()).isEmpty()) {
        Stat recall = stat(backbone.get().id(), p, "warm", "recall");
        Stat ndcg = stat(backbone.get().id(), p, "warm", "ndcg");
        lines.add(String.format(Locale.ROOT, "%s: backbone warm Recall@%d %s (target >= .2838: %s), NDCG@%d %s "
                + "(target >= .1933: %s)", p.label(), k, cell(recall), met(recall.mean() >= .2838), k, cell(ndcg),
            met(ndcg.mean() >= .1933)));
      }
      for (String other : List.of("deepmusic", "dropoutnet")) {
        Optional<Settings.Compare.Row> baseline = plainRow(other);
        if (aldi.isEmpty() || baseline.isEmpty() || resultsOf(aldi.get().id()).size() < 2
            || resultsOf(baseline.get().id()).size() < 2) {
          continue;
        }
        for (String task : List.of("cold", "overall")) {
          Stat a = stat(aldi.get().id(), p, task, "recall");
          Stat b = stat(baseline.get().id(), p, task, "recall");
          double gap = a.mean() - b.mean();
          double twoSd = 2 * Math.max(a.std(), b.std());
          lines.add(String.format(Locale.ROOT, "%s: %s Recall@%d, %s minus %s = %s (2 sd = %s): %s", p.label(), task,
              k, aldi.get().name(), baseline.get().name(), number(gap), number(twoSd), met(gap > twoSd)));
        }
      }
    }
    return lines;
  }

  private Optional<Settings.Compare.Row> plainRow(String method) {
    return rows.stream().filter(r -> r.method().equals(method) && r.set().isEmpty()).findFirst();
  }

  private static String met(boolean met) {
    return met ? "met" : "NOT met";
  }

  /** The validation metrics of a row's runs that have one (the seeds done, in order). */
  public Stat validation(String row) {
    return new Stat(resultsOf(row).stream().map(Result::validation).filter(v -> v != null).toList());
  }

  /** Reads a row folder's compare/result.json, and its model/history.json, back into a result. */
  static Result result(JsonNode json, JsonNode history) {
    Map<String, Map<String, Map<String, Double>>> metrics = new LinkedHashMap<>();
    json.get("protocols").fields().forEachRemaining(p -> {
      Map<String, Map<String, Double>> byTask = new LinkedHashMap<>();
      p.getValue().get("metrics").fields().forEachRemaining(t -> {
        Map<String, Double> byMetric = new LinkedHashMap<>();
        t.getValue().fields().forEachRemaining(m -> byMetric.put(m.getKey(), m.getValue().asDouble()));
        byTask.put(t.getKey(), byMetric);
      });
      metrics.put(p.getKey(), byTask);
    });
    JsonNode seconds = json.path("model").path("wall_seconds");
    JsonNode best = history.path("best_epoch");
    Double validation = null;
    for (Iterator<String> keys = history.fieldNames(); keys.hasNext(); ) {
      String key = keys.next();
      if (key.startsWith("best_val_")) {
        validation = history.get(key).asDouble();
      }
    }
    return new Result(json.get("row").asText(), json.get("seed").asLong(), metrics,
        seconds.isNumber() ? seconds.asDouble() : null,
        json.path("evaluate_seconds").asDouble() + json.path("report_seconds").asDouble(),
        best.isNumber() ? best.asInt() : null, validation);
  }
}
