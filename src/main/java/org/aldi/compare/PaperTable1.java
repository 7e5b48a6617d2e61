package org.aldi.compare;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The paper's Table 1, MF backbone, CiteULike columns (aldi-paper.md): Recall@20 and NDCG@20 of the overall, cold and
 * warm tasks, all test users of the authors' split with their text content.
 */
public final class PaperTable1 {
  /**
   * One method's row: values in the order overall recall, overall NDCG, cold recall, cold NDCG, warm recall, warm
   * NDCG.
   */
  public record Row(String method, double[] values) {
    /** The value of a task ("overall", "cold", "warm") and metric ("recall", "ndcg"). */
    public double value(String task, String metric) {
      return values[2 * TASKS.indexOf(task) + METRICS.indexOf(metric)];
    }
  }

  public static final List<String> TASKS = List.of("overall", "cold", "warm");
  public static final List<String> METRICS = List.of("recall", "ndcg");

  public static final List<Row> MF_CITEULIKE = List.of(
      new Row("Backbone", new double[] {.0776, .0647, .0056, .0031, .2838, .1933}),
      new Row("DeepMusic", new double[] {.0956, .0789, .2141, .1262, .2838, .1933}),
      new Row("MetaEmb", new double[] {.0972, .0804, .2232, .1306, .2838, .1933}),
      new Row("GAR", new double[] {.1440, .1132, .2453, .1479, .2272, .1438}),
      new Row("DropoutNet", new double[] {.0794, .0670, .2268, .1356, .1343, .0792}),
      new Row("MTPR", new double[] {.1060, .0810, .2496, .1476, .1728, .0998}),
      new Row("Heater", new double[] {.1134, .0913, .2372, .1419, .1871, .1153}),
      new Row("CLCRec", new double[] {.1269, .0992, .2295, .1347, .1898, .1167}),
      new Row("ALDI", new double[] {.1618, .1204, .2684, .1550, .2838, .1933}));

  /** The paper's row of each value of aldi.distill.method. */
  private static final Map<String, String> OF_METHOD = Map.of("backbone-only", "Backbone", "deepmusic", "DeepMusic",
      "dropoutnet", "DropoutNet", "aldi", "ALDI");

  private PaperTable1() {}

  /** The paper's row of a method of aldi.distill.method. */
  public static Optional<Row> of(String method) {
    String name = OF_METHOD.get(method);
    return MF_CITEULIKE.stream().filter(r -> r.method().equals(name)).findFirst();
  }
}
