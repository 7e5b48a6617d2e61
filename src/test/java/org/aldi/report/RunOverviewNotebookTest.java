package org.aldi.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.aldi.store.RunFolder;
import org.aldi.testing.CiteULikeSlice;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Executes notebooks/run_overview.ipynb headless (jupyter nbconvert) on the slice run. Skipped when jupyter is not
 * on the PATH, except when ALDI_CI=1 (set by .ci/run, which installs it), where that is a failure.
 */
class RunOverviewNotebookTest {
  @Test
  void notebookRunsTopToBottomOnTheSliceRun() throws Exception {
    Path jupyter = onPath("jupyter");
    if (jupyter == null) {
      if ("1".equals(System.getenv("ALDI_CI"))) {
        fail("jupyter is not on the PATH under ALDI_CI=1: .ci/run should have installed it");
      }
      Assumptions.abort("jupyter is not on the PATH");
    }
    CiteULikeSlice.run();
    Path executed = CiteULikeSlice.DIR.resolve("run_overview.executed.ipynb");
    Files.deleteIfExists(executed);
    ProcessBuilder pb = new ProcessBuilder(jupyter.toString(), "nbconvert", "--to", "notebook", "--execute",
        "--ExecutePreprocessor.timeout=300", "--output-dir", CiteULikeSlice.DIR.toString(),
        "--output", "run_overview.executed.ipynb", "notebooks/run_overview.ipynb")
        .redirectErrorStream(true)
        .redirectOutput(CiteULikeSlice.DIR.resolve("nbconvert.log").toFile());
    pb.environment().put("ALDI_RUN", CiteULikeSlice.runDir().toString());
    int status = pb.start().waitFor();
    String log = Files.readString(CiteULikeSlice.DIR.resolve("nbconvert.log"));
    assertEquals(0, status, "nbconvert failed:\n" + log);

    JsonNode notebook = new ObjectMapper().readTree(Files.readString(executed, StandardCharsets.UTF_8));
    StringBuilder text = new StringBuilder();
    int images = 0;
    for (JsonNode cell : notebook.get("cells")) {
      for (JsonNode output : cell.path("outputs")) {
        output.path("text").forEach(line -> text.append(line.asText()));
        images += output.path("data").has("image/png") ? 1 : 0;
      }
    }
    JsonNode metrics = CiteULikeSlice.run().readJson(RunFolder.EVAL, "metrics.json");
    String overallNdcg = ReportPage.metric(metrics.get("overall").get("ndcg@20").asDouble());
    assertTrue(text.toString().contains(overallNdcg), "the metrics table shows overall NDCG " + overallNdcg);
    assertEquals(3, images, "curves, alignment histograms, held-out histogram");
    JsonNode users = new ObjectMapper().readTree(CiteULikeSlice.runDir().resolve("report/views/users.json").toFile());
    assertTrue(users.size() > 0);
    for (JsonNode user : users) {
      assertTrue(text.toString().contains("user " + user.get("user").asInt() + ":"), "recommendations of a user");
    }
    assertEquals(users.size(), text.toString().split("  overall ", -1).length - 1, "an overall top 10 per user");
  }

  private static Path onPath(String program) {
    for (String dir : List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))) {
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }
}
