package org.aldi.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aldi.store.RunFolder;
import org.aldi.store.StageOutput;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Copies of the vectors a notebook needs to rank items for a few users, in formats that numpy and the Python
 * standard library read (Debian packages no Parquet reader for Python):
 * views/warm_items.npy and views/warm_item_vectors.npy (teacher e_i of the warm items, backbone/item_factors),
 * views/cold_items.npy and views/cold_item_vectors.npy (student f_I(c_i) of the cold items, model/student_items),
 * views/users.json (a few users with warm and cold test items: e_u, f_U(e_u) and their items per split part).
 */
final class NotebookViews {
  private static final String[] PARTS = {"train", "warm_val", "cold_val", "warm_test", "cold_test"};

  private NotebookViews() {}

  static void write(StageOutput out, RunFolder run, int users) {
    Dataset<Row> roles = run.read(RunFolder.SPLIT, "item_role");
    writeVectors(out, "warm_item", run.read(RunFolder.BACKBONE, "item_factors").select("id", "features"));
    writeVectors(out, "cold_item", run.read(RunFolder.MODEL, "student_items")
        .join(roles.where(col("role").notEqual("warm")), "item").select("item", "vector"));

    List<Integer> ids = run.read(RunFolder.SPLIT, "warm_test").select("user")
        .intersect(run.read(RunFolder.SPLIT, "cold_test").select("user"))
        .orderBy("user").limit(users).collectAsList().stream().map(r -> r.getInt(0)).toList();
    Map<Integer, ObjectNode> byUser = new LinkedHashMap<>();
    ObjectMapper json = new ObjectMapper();
    ArrayNode list = json.createArrayNode();
    for (int id : ids) {
      ObjectNode user = list.addObject().put("user", id);
      for (String part : PARTS) {
        user.putArray(part);
      }
      byUser.put(id, user);
    }
    for (Row r : run.read(RunFolder.BACKBONE, "user_factors").where(col("id").isin(ids.toArray())).collectAsList()) {
      byUser.get(r.getInt(0)).set("teacher_vector", json.valueToTree(r.getList(1)));
    }
    for (Row r : run.read(RunFolder.MODEL, "student_users").where(col("user").isin(ids.toArray()))
        .select("user", "vector").collectAsList()) {
      byUser.get(r.getInt(0)).set("student_vector", json.valueToTree(r.getList(1)));
    }
    Dataset<Row> items = null;
    for (String part : PARTS) {
      Dataset<Row> p = run.read(RunFolder.SPLIT, part).where(col("user").isin(ids.toArray()))
          .select(col("user"), col("item"), lit(part).as("part"));
      items = items == null ? p : items.union(p);
    }
    for (Row r : items.orderBy("user", "part", "item").collectAsList()) {
      ((ArrayNode) byUser.get(r.getInt(0)).get(r.getString(2))).add(r.getInt(1));
    }
    out.writeJson("views/users.json", list);
  }

  /** (id, vector) rows, ordered by id, as name + "s.npy" (ids) and name + "_vectors.npy" (one row per id). */
  private static void writeVectors(StageOutput out, String name, Dataset<Row> rows) {
    List<Row> collected = rows.orderBy(rows.columns()[0]).collectAsList();
    int n = collected.size();
    int dim = n == 0 ? 0 : collected.get(0).getList(1).size();
    int[] ids = new int[n];
    float[] values = new float[n * dim];
    for (int k = 0; k < n; k++) {
      ids[k] = collected.get(k).getInt(0);
      List<Object> v = collected.get(k).getList(1);
      for (int c = 0; c < dim; c++) {
        values[k * dim + c] = ((Number) v.get(c)).floatValue();
      }
    }
    out.writeBytes("views/" + name + "s.npy", Npy.int32(ids));
    out.writeBytes("views/" + name + "_vectors.npy", Npy.float32(values, n, dim));
  }
}
