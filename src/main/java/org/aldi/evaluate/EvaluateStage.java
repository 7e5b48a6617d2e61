package org.aldi.evaluate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.aldi.config.Settings;
import org.aldi.ranking.ColdStartEvaluator;
import org.aldi.ranking.ColdStartEvaluator.Evaluation;
import org.aldi.ranking.ColdStartEvaluator.Part;
import org.aldi.ranking.ColdStartEvaluator.Task;
import org.aldi.score.ScoringVectors;
import org.aldi.store.Lineage;
import org.aldi.store.RunFolder;
import org.aldi.store.Stage;
import org.aldi.store.StageOutput;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "eval" stage: overall (Eq. 1), warm (Eq. 2) and cold (Eq. 3) recommendation on the test part, with Eq. 9
 * scores from the backbone's teacher vectors and the model stage's student vectors ({@link ScoringVectors}). Writes
 * eval/metrics.json (means per task, with the number of users averaged and of candidate items ranked),
 * eval/users.json (users averaged per task) and eval/per_user (Parquet).
 */
public final class EvaluateStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateStage.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public String name() {
    return RunFolder.EVAL;
  }

  @Override
  public Lineage lineage(Settings settings) {
    return Lineage.of(List.of(RunFolder.SPLIT, RunFolder.BACKBONE, RunFolder.MODEL),
        "evaluate.k", "evaluate.max-users", "evaluate.overall-users");
  }

  @Override
  public void run(RunFolder run, Settings settings) {
    ScoringVectors vectors = ScoringVectors.read(run);
    int[] ks = settings.evaluate.ks;

    ObjectNode metrics = JSON.createObjectNode();
    ObjectNode users = JSON.createObjectNode();
    List<Dataset<Row>> persisted = new ArrayList<>();
    List<Dataset<Row>> perUser = new ArrayList<>();
    StageOutput.write(run, name(), settings, out -> {
      try (ColdStartEvaluator evaluator = new ColdStartEvaluator(ColdStartEvaluator.Split.read(run), settings)) {
        long rows = 0;
        for (Task task : Task.values()) {
          long start = System.nanoTime();
          Evaluation e = evaluator.evaluate(task, Part.TEST, vectors.warmUsers(), vectors.warmItems(),
              vectors.coldUsers(), vectors.coldItems(), ks, true);
          LOG.info("{} task: {} users ranked in {} s", task.key(), e.users(),
              String.format("%.1f", (System.nanoTime() - start) / 1e9));
          ObjectNode means = metrics.putObject(task.key());
          for (Map.Entry<String, Double> m : e.means().entrySet()) {
            if (m.getValue().isNaN()) {
              means.putNull(m.getKey()); // a task without users has no mean
            } else {
              means.put(m.getKey(), m.getValue());
            }
          }
          means.put("users", e.users());
          means.put("candidates", e.candidates());
          persisted.add(e.perUser());
          users.put(task.key(), e.users());
          rows += e.users();
          List<Column> columns = new ArrayList<>(List.of(lit(task.key()).as("task")));
          for (String c : e.perUser().columns()) {
            columns.add(col(c));
          }
          perUser.add(e.perUser().select(columns.toArray(new Column[0])));
        }
        out.writeJson("metrics.json", metrics);
        out.writeJson("users.json", users);
        out.writeParquet("per_user", perUser.stream().reduce(Dataset::unionByName).orElseThrow(), rows);
      } finally {
        persisted.forEach(Dataset::unpersist);
      }
    });
    String table = MetricsTable.format(metrics, users);
    LOG.info("test metrics:\n{}", table);
    System.out.print(table);
  }
}
