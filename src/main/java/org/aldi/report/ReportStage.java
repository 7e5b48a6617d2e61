package org.aldi.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.aldi.config.Settings;
import org.aldi.distill.ContentTable;
import org.aldi.distill.FeatureTable;
import org.aldi.distill.StudentTowers;
import org.aldi.distill.TeacherWeights;
import org.aldi.distill.TrainingBatches;
import org.aldi.store.Lineage;
import org.aldi.store.RunFolder;
import org.aldi.store.Stage;
import org.aldi.store.StageOutput;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "report" stage: a static HTML report of the run, report/index.html with SVG plots next to it: the test
 * metrics (eval/metrics.json), the distillation curves (model/history.json), the alignment histograms of the
 * paper's Figure 3 on a bounded sample of training triples and on held-out pairs, and the data-quality summary
 * (input/quality.json, split/summary.json). report/views/ holds small CSV, JSON and .npy copies for the notebook
 * (notebooks/run_overview.ipynb), which reads no Parquet.
 */
public final class ReportStage implements Stage {
  /** Share of the pooled values left out at each end of a histogram's range. */
  static final double TAIL = 0.005;
  private static final Logger LOG = LoggerFactory.getLogger(ReportStage.class);

  @Override
  public String name() {
    return RunFolder.REPORT;
  }

  @Override
  public Lineage lineage(Settings settings) {
    // Figure 3 scores training triples in training-sized batches with the teacher weights of training
    return Lineage.of(List.of(RunFolder.INPUT, RunFolder.SPLIT, RunFolder.TRIPLES, RunFolder.BACKBONE,
        RunFolder.MODEL, RunFolder.EVAL), "report", "run.seed", "distill.batch-size", "distill.teacher-weight");
  }

  @Override
  public void run(RunFolder run, Settings settings) {
    if (!run.has(RunFolder.MODEL, "towers.json")) {
      LOG.info("report: model/ of {} has no student towers (aldi.distill.method = {}): nothing to report",
          run.root(), settings.distill.method);
      return;
    }
    JsonNode metrics = run.readJson(RunFolder.EVAL, "metrics.json");
    JsonNode users = run.readJson(RunFolder.EVAL, "users.json");
    JsonNode history = run.readJson(RunFolder.MODEL, "history.json");
    JsonNode quality = run.readJson(RunFolder.INPUT, "quality.json");
    JsonNode split = run.readJson(RunFolder.SPLIT, "summary.json");
    StudentTowers towers;
    try (InputStream in = run.open(RunFolder.MODEL, "towers.json")) {
      towers = StudentTowers.fromJson(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }

    Dataset<Row> userFactors = run.read(RunFolder.BACKBONE, "user_factors");
    Dataset<Row> itemFactors = run.read(RunFolder.BACKBONE, "item_factors");
    Dataset<Row> content = run.read(RunFolder.INPUT, "item_content");
    FeatureTable teacherUsers = FeatureTable.collect(userFactors, "id", "features", "backbone/user_factors");
    FeatureTable teacherItems = FeatureTable.collect(itemFactors, "id", "features", "backbone/item_factors");
    ContentTable contentTable = ContentTable.collect(content, "item", "features", "input/item_content");
    Settings.Distill s = settings.distill;
    // minibatches exactly as in training; their label, the teacher weight w_i, is not used here
    FeatureTable weights = FeatureTable.ofScalars(TeacherWeights.compute(run.read(RunFolder.SPLIT, "train"),
        s.teacherWeightMode, s.omega, s.referenceM, content.count()));
    TrainingBatches batches = new TrainingBatches(teacherUsers, teacherItems, contentTable, weights, s.batchSize);

    Settings.Report r = settings.report;
    List<int[]> triples = new ArrayList<>();
    for (Row row : run.read(RunFolder.TRIPLES, "triples").where(col("epoch").equalTo(0))
        .select("user", "pos", "neg").limit(r.sampleTriples).collectAsList()) {
      triples.add(new int[] {row.getInt(0), row.getInt(1), row.getInt(2)});
    }
    Alignment training = Alignment.score(triples, batches, towers, s.batchSize);
    List<int[]> warmPairs = samplePairs(run.read(RunFolder.SPLIT, "warm_val"), r.samplePairs, settings.run.seed);
    List<int[]> coldPairs = samplePairs(run.read(RunFolder.SPLIT, "cold_val"), r.samplePairs, settings.run.seed);
    double[] warmScores = teacherScores(warmPairs, teacherUsers, teacherItems);
    double[] coldScores = studentScores(coldPairs, teacherUsers, contentTable, towers);

    Map<String, String> plots = new LinkedHashMap<>();
    plots.put("loss.svg", Curves.loss(history));
    plots.put("validation.svg", Curves.validation(history));
    plots.putAll(Figure3.plots(training, r.bins, TAIL));
    plots.put("heldout.svg", SvgPlot.histograms("Held-out positive pairs: warm by teacher, cold by student",
        "score", List.of(new SvgPlot.Series(Figure3.WARM_VAL, warmScores),
            new SvgPlot.Series(Figure3.COLD_VAL, coldScores)), r.bins, TAIL));

    String html = ReportPage.render(run.root().toString(), metrics, users, history, training, warmScores,
        coldScores, quality, split, plots.keySet());
    StageOutput.write(run, name(), settings, out -> {
      out.writeBytes("index.html", html.getBytes(StandardCharsets.UTF_8));
      for (Map.Entry<String, String> p : plots.entrySet()) {
        out.writeBytes(p.getKey(), p.getValue().getBytes(StandardCharsets.UTF_8));
      }
      out.writeBytes("views/alignment.csv", alignmentCsv(training));
      out.writeBytes("views/heldout.csv", heldoutCsv(warmPairs, warmScores, coldPairs, coldScores));
      NotebookViews.write(out, run, r.notebookUsers);
    });
  }

  /** A seeded sample of (user, item) rows of a split part: the n smallest by hash(user, item, seed). */
  private static List<int[]> samplePairs(Dataset<Row> part, int n, long seed) {
    List<int[]> pairs = new ArrayList<>();
    for (Row row : part.select("user", "item").orderBy(xxhash64(col("user"), col("item"), lit(seed)))
        .limit(n).collectAsList()) {
      pairs.add(new int[] {row.getInt(0), row.getInt(1)});
    }
    return pairs;
  }

  /** e_u . e_i of each pair. */
  private static double[] teacherScores(List<int[]> pairs, FeatureTable users, FeatureTable items) {
    INDArray u = rows(pairs, 0, users.dim(), (id, x, at) -> users.copy(id, x, at, "warm validation users"));
    INDArray v = rows(pairs, 1, items.dim(), (id, x, at) -> items.copy(id, x, at, "warm validation items"));
    return Alignment.rowDot(u, v).toDoubleVector();
  }

  /** f_U(e_u) . f_I(c_i) of each pair. */
  private static double[] studentScores(List<int[]> pairs, FeatureTable users, ContentTable content,
      StudentTowers towers) {
    INDArray u = rows(pairs, 0, users.dim(), (id, x, at) -> users.copy(id, x, at, "cold validation users"));
    INDArray c = rows(pairs, 1, content.width(), (id, x, at) -> content.copy(id, x, at, "cold validation items"));
    return Alignment.rowDot(towers.mapUsers(u), towers.mapItems(c, content.slots())).toDoubleVector();
  }

  /** Copies a vector by id into an array at an offset. */
  private interface RowCopy {
    void copy(int id, float[] target, int offset);
  }

  /** One (n x width) matrix of the vectors of column `side` (0 user, 1 item) of the pairs. */
  private static INDArray rows(List<int[]> pairs, int side, int width, RowCopy table) {
    int n = pairs.size();
    float[] x = new float[n * width];
    for (int k = 0; k < n; k++) {
      table.copy(pairs.get(k)[side], x, k * width);
    }
    return Nd4j.create(x, new long[] {n, width}, 'c');
  }

  private static byte[] alignmentCsv(Alignment a) {
    StringBuilder csv = new StringBuilder("user,pos,neg," + String.join(",", Alignment.COLUMNS) + "\n");
    for (int k = 0; k < a.triples().size(); k++) {
      int[] t = a.triples().get(k);
      csv.append(t[0]).append(',').append(t[1]).append(',').append(t[2]);
      for (double[] column : a.columns()) {
        csv.append(',').append(String.format(Locale.ROOT, "%.6g", column[k]));
      }
      csv.append('\n');
    }
    return csv.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] heldoutCsv(List<int[]> warm, double[] warmScores, List<int[]> cold, double[] coldScores) {
    StringBuilder csv = new StringBuilder("part,user,item,score\n");
    for (int k = 0; k < warm.size(); k++) {
      csv.append(String.format(Locale.ROOT, "warm_val,%d,%d,%.6g%n", warm.get(k)[0], warm.get(k)[1], warmScores[k]));
    }
    for (int k = 0; k < cold.size(); k++) {
      csv.append(String.format(Locale.ROOT, "cold_val,%d,%d,%.6g%n", cold.get(k)[0], cold.get(k)[1], coldScores[k]));
    }
    return csv.toString().getBytes(StandardCharsets.UTF_8);
  }
}
