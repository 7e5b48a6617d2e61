package org.aldi.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aldi.config.Settings;
import org.aldi.store.RunFolder;
import org.aldi.testing.CiteULikeSlice;
import org.apache.spark.sql.Row;
import org.aldi.testing.Vectors;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/** The report of the slice run ({@link org.aldi.testing.CiteULikeSlice}) against the run's own outputs. */
class ReportStageTest {
  private static final Path REPORT = CiteULikeSlice.runDir().resolve(RunFolder.REPORT);

  @Test
  void indexHoldsTheRunsMetricsHistoryAndQuality() throws Exception {
    RunFolder run = CiteULikeSlice.run();
    assertTrue(run.isComplete(RunFolder.REPORT));
    String html = Files.readString(REPORT.resolve("index.html"));
    JsonNode metrics = run.readJson(RunFolder.EVAL, "metrics.json");
    JsonNode users = run.readJson(RunFolder.EVAL, "users.json");
    String table = html.substring(html.indexOf("<table class=\"metrics\">"), html.indexOf("</table>"));
    for (String task : List.of("overall", "warm", "cold")) {
      Matcher row = Pattern.compile("<tr><td>" + task + "</td>(.*?)</tr>").matcher(table);
      assertTrue(row.find(), "a row for " + task);
      StringBuilder expected = new StringBuilder();
      metrics.get(task).fields().forEachRemaining(m -> {
        if (m.getKey().contains("@")) {
          expected.append("<td class=\"num\">").append(ReportPage.metric(m.getValue().asDouble())).append("</td>");
        }
      });
      expected.append("<td class=\"num\">").append(users.get(task).asInt()).append("</td>");
      assertEquals(expected.toString(), row.group(1), task + " row");
    }
    JsonNode history = run.readJson(RunFolder.MODEL, "history.json");
    assertTrue(html.contains("Best epoch <b>" + history.get("best_epoch").asInt() + "</b> of "
        + history.get("epochs").size()));
    JsonNode quality = run.readJson(RunFolder.INPUT, "quality.json");
    assertTrue(html.contains("<tr><td>interactions</td><td class=\"num\">" + quality.get("interactions").asLong()
        + "</td></tr>"));
    assertTrue(html.contains("<tr><td>content.tags_kept</td><td class=\"num\">"
        + quality.get("content").get("tags_kept").asLong() + "</td></tr>"));
  }

  @Test
  void everyPlotIsAnSvgWithItsSeries() throws Exception {
    CiteULikeSlice.run();
    String html = Files.readString(REPORT.resolve("index.html"));
    Set<String> images = new LinkedHashSet<>();
    Matcher img = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
    while (img.find()) {
      images.add(img.group(1));
    }
    JsonNode history = CiteULikeSlice.run().readJson(RunFolder.MODEL, "history.json");
    String validation = Curves.validationKey(history);
    Map<String, List<String>> expected = Map.of(
        "loss.svg", List.of(Curves.TERMS),
        "validation.svg", List.of(validation),
        "rating.svg", List.of(Figure3.T_UI, Figure3.S_UI, Figure3.T_UJ, Figure3.S_UJ),
        "ranking.svg", List.of(Figure3.T_GAP, Figure3.S_GAP),
        "identification.svg", List.of(Figure3.D_T, Figure3.D_S),
        "heldout.svg", List.of(Figure3.WARM_VAL, Figure3.COLD_VAL));
    assertEquals(expected.keySet(), images);
    for (Map.Entry<String, List<String>> plot : expected.entrySet()) {
      Element root = SvgFiles.parse(Files.readString(REPORT.resolve(plot.getKey())));
      assertEquals(plot.getValue(), SvgFiles.seriesNames(root), plot.getKey());
    }
    // one point per epoch on the validation curve
    String points = SvgFiles.series(SvgFiles.parse(Files.readString(REPORT.resolve("validation.svg"))), validation)
        .getElementsByTagName("polyline").item(0).getAttributes().getNamedItem("points").getNodeValue();
    assertEquals(history.get("epochs").size(), points.trim().split("\\s+").length);
  }

  /** The alignment sample against dot products of the backbone's and the model's own vectors. */
  @Test
  void alignmentSampleMatchesTheRunsTeacherAndStudentVectors() throws Exception {
    Settings settings = CiteULikeSlice.settings();
    RunFolder run = CiteULikeSlice.run();
    List<String> lines = Files.readAllLines(REPORT.resolve("views/alignment.csv"), StandardCharsets.UTF_8);
    assertEquals("user,pos,neg,t_ui,s_ui,t_uj,s_uj,d_t,d_s", lines.get(0));
    long epoch0 = run.read(RunFolder.TRIPLES, "triples").where("epoch = 0").count();
    assertEquals(Math.min(settings.report.sampleTriples, epoch0), lines.size() - 1);

    Map<Integer, float[]> teacherUsers = vectors(run.read(RunFolder.BACKBONE, "user_factors").collectAsList());
    Map<Integer, float[]> teacherItems = vectors(run.read(RunFolder.BACKBONE, "item_factors").collectAsList());
    Map<Integer, float[]> studentUsers = vectors(run.read(RunFolder.MODEL, "student_users").collectAsList());
    Map<Integer, float[]> studentItems = vectors(run.read(RunFolder.MODEL, "student_items").collectAsList());
    int batch = settings.distill.batchSize;
    double[] meanNegative = new double[settings.backbone.dimension];
    for (int r = 1; r <= batch; r++) {
      float[] ej = teacherItems.get(Integer.parseInt(lines.get(r).split(",")[2]));
      for (int k = 0; k < ej.length; k++) {
        meanNegative[k] += ej[k] / (double) batch;
      }
    }
    for (int r = 1; r <= 5; r++) {
      String[] f = lines.get(r).split(",");
      int u = Integer.parseInt(f[0]);
      int i = Integer.parseInt(f[1]);
      int j = Integer.parseInt(f[2]);
      close(Vectors.dot(teacherUsers.get(u), teacherItems.get(i)), f[3], "t_ui");
      close(Vectors.dot(studentUsers.get(u), studentItems.get(i)), f[4], "s_ui");
      close(Vectors.dot(teacherUsers.get(u), teacherItems.get(j)), f[5], "t_uj");
      close(Vectors.dot(studentUsers.get(u), studentItems.get(j)), f[6], "s_uj");
      float[] ei = teacherItems.get(i);
      double dT = 0;
      for (int k = 0; k < ei.length; k++) {
        dT += ei[k] * (ei[k] - meanNegative[k]);
      }
      close(dT, f[7], "d_t (first batch)");
    }
  }

  @Test
  void npyViewsHaveNumpysHeaderAndTheRunsRowCounts() throws Exception {
    long warm = CiteULikeSlice.run().read(RunFolder.BACKBONE, "item_factors").count();
    byte[] ids = Files.readAllBytes(REPORT.resolve("views/warm_items.npy"));
    byte[] vectors = Files.readAllBytes(REPORT.resolve("views/warm_item_vectors.npy"));
    for (byte[] npy : List.of(ids, vectors)) {
      assertEquals((byte) 0x93, npy[0]);
      assertEquals("NUMPY", new String(npy, 1, 5, StandardCharsets.US_ASCII));
      int headerEnd = 10 + (npy[8] & 0xff) + ((npy[9] & 0xff) << 8);
      assertEquals(0, headerEnd % 64, "data is 64-byte aligned");
      assertEquals('\n', npy[headerEnd - 1]);
    }
    int dim = CiteULikeSlice.settings().backbone.dimension;
    int headerEnd = 10 + (vectors[8] & 0xff) + ((vectors[9] & 0xff) << 8);
    String header = new String(vectors, 10, headerEnd - 10, StandardCharsets.US_ASCII);
    assertTrue(header.contains("'descr': '<f4'") && header.contains("'shape': (" + warm + ", " + dim + ")"), header);
    assertEquals(headerEnd + 4 * warm * dim, vectors.length);
  }

  private static Map<Integer, float[]> vectors(List<Row> rows) {
    Map<Integer, float[]> map = new HashMap<>();
    for (Row r : rows) {
      List<Object> v = r.getList(1);
      float[] a = new float[v.size()];
      for (int k = 0; k < a.length; k++) {
        a[k] = ((Number) v.get(k)).floatValue();
      }
      map.put(r.getInt(0), a);
    }
    return map;
  }

  private static void close(double expected, String actual, String what) {
    double v = Double.parseDouble(actual);
    assertEquals(expected, v, 1e-4 + 1e-3 * Math.abs(expected), what);
  }
}
