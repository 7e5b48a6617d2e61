package org.aldi.distill;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Teacher-qualifying weights w_i of the warm items (Section 3.5), from the training interactions.
 * <ul>
 *   <li>"paper" (Eq. 21): w_i = 2 / (1 + exp(-omega * N_i / mean N)) - 1, N_i = number of training users of i;
 *   <li>"reference" (reference code §4): w_i = tanh(m * min(f_i / xbar, 1)), f_i = sum over the users u of i
 *       of 1/|N(u)|, xbar = users / items (items counting cold ones too);
 *   <li>"off": w_i = 1 (the reference code's default).
 * </ul>
 */
public final class TeacherWeights {
  private TeacherWeights() {}

  /**
   * @param train training interactions (user, item)
   * @param allItems number of items, warm and cold (the reference formula's item_num)
   * @return weight per warm item id (item-sized, safe on the driver)
   */
  public static Map<Integer, Float> compute(Dataset<Row> train, String mode, double omega, double m, long allItems) {
    Map<Integer, Float> weights = new HashMap<>();
    Dataset<Row> items = train.select("item").distinct();
    if (mode.equals("off")) {
      for (Row r : items.collectAsList()) {
        weights.put(r.getInt(0), 1f);
      }
      return weights;
    }
    if (mode.equals("paper")) {
      Dataset<Row> counts = train.groupBy("item").agg(count(lit(1)).as("n"));
      double meanN = counts.agg(avg("n")).first().getDouble(0);
      for (Row r : counts.collectAsList()) {
        double x = omega * r.getLong(1) / meanN;
        weights.put(r.getInt(0), (float) (2 / (1 + Math.exp(-x)) - 1));   // Eq. 21
      }
      return weights;
    }
    // reference code §4: degree-normalised popularity, clipped tanh
    Dataset<Row> userDegree = train.groupBy("user").agg(count(lit(1)).as("deg"));
    Dataset<Row> popularity = train.join(userDegree, "user")
        .groupBy("item").agg(sum(lit(1.0).divide(col("deg"))).as("f"));
    long users = userDegree.count();
    double xbar = users / (double) allItems;
    for (Row r : popularity.collectAsList()) {
      double f = r.getDouble(1);
      weights.put(r.getInt(0), (float) Math.tanh(m * Math.min(f / xbar, 1.0)));
    }
    return weights;
  }
}
