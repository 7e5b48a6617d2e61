package org.aldi.score;

import static org.apache.spark.sql.functions.array_repeat;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The paper's Eq. 9, the one place where warm and cold scores are combined:
 * <pre>
 *   y(u,i) = e_u · e_i            for a warm item i (teacher score)
 *   y(u,i) = f_U(e_u) · f_I(c_i)  for a cold item i (student score)
 * </pre>
 * Both branches become a single dot product over stacked vectors: user [e_u ; f_U(e_u)], warm item [e_i ; 0],
 * cold item [0 ; f_I(c_i)]. There is no calibration between the branches (reference code §5): the
 * rating-distribution loss is what makes them comparable.
 *
 * <p>Column contract of the DataFrame builders: teacher vectors are (id:int, features:array&lt;float&gt;) as the
 * backbone writes them, student vectors are (user:int, vector:array&lt;float&gt;) and (item:int,
 * vector:array&lt;float&gt;) as the distillation stage writes them.
 */
public final class Eq9 {
  private Eq9() {}

  /** Stacked user vector [e_u ; f_U(e_u)]. */
  public static float[] user(float[] teacher, float[] student) {
    float[] v = new float[teacher.length + student.length];
    System.arraycopy(teacher, 0, v, 0, teacher.length);
    System.arraycopy(student, 0, v, teacher.length, student.length);
    return v;
  }

  /** Stacked warm item vector [e_i ; 0], with studentDim zeros. */
  public static float[] warmItem(float[] teacher, int studentDim) {
    float[] v = new float[teacher.length + studentDim];
    System.arraycopy(teacher, 0, v, 0, teacher.length);
    return v;
  }

  /** Stacked cold item vector [0 ; f_I(c_i)], with teacherDim zeros. */
  public static float[] coldItem(float[] student, int teacherDim) {
    float[] v = new float[teacherDim + student.length];
    System.arraycopy(student, 0, v, teacherDim, student.length);
    return v;
  }

  /** Eq. 9, first branch: e_u · e_i. */
  public static double warmScore(float[] teacherUser, float[] teacherItem) {
    return dot(teacherUser, teacherItem);
  }

  /** Eq. 9, second branch: f_U(e_u) · f_I(c_i). */
  public static double coldScore(float[] studentUser, float[] studentItem) {
    return dot(studentUser, studentItem);
  }

  public static double dot(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("dimension mismatch: " + a.length + " vs " + b.length);
    }
    double s = 0;
    for (int k = 0; k < a.length; k++) {
      s += (double) a[k] * b[k];
    }
    return s;
  }

  /**
   * Stacked user vectors (user:int, vector:array&lt;float&gt;) = [e_u ; f_U(e_u)] for every user that has both a
   * teacher (id, features) and a student (user, vector) row.
   */
  public static Dataset<Row> users(Dataset<Row> teacherUsers, Dataset<Row> studentUsers) {
    Dataset<Row> t = teacherUsers.select(col("id").as("user"), col("features").as("teacher"));
    Dataset<Row> s = studentUsers.select(col("user"), col("vector").as("student"));
    return t.join(s, "user").select(col("user"), concat(col("teacher"), col("student")).as("vector"));
  }

  /**
   * Stacked item vectors (item:int, vector:array&lt;float&gt;, cold:boolean): [e_i ; 0] for the teacher items
   * (id, features) that are not in coldItems, and [0 ; f_I(c_i)] for the student items (item, vector) that are
   * in coldItems (a dataset with an int column "item"). The zero blocks take their widths from the data.
   */
  public static Dataset<Row> items(Dataset<Row> teacherItems, Dataset<Row> studentItems, Dataset<Row> coldItems) {
    Dataset<Row> coldIds = coldItems.select("item");
    Dataset<Row> warm = teacherItems.select(col("id").as("item"), col("features").as("v"))
        .join(coldIds, "item", "left_anti");
    Dataset<Row> cold = studentItems.select(col("item"), col("vector").as("v")).join(coldIds, "item", "left_semi");
    int teacherDim = dimension(teacherItems, "features");
    int studentDim = dimension(studentItems, "vector");
    return warm.select(col("item"), concat(col("v"), zeros(studentDim)).as("vector"), lit(false).as("cold"))
        .unionByName(cold.select(col("item"), concat(zeros(teacherDim), col("v")).as("vector"), lit(true).as("cold")));
  }

  /** Length of the first vector of a vector column (one small Spark job). */
  public static int dimension(Dataset<Row> vectors, String column) {
    List<Row> first = vectors.select(size(col(column))).takeAsList(1);
    if (first.isEmpty()) {
      throw new IllegalArgumentException("no vectors in column " + column);
    }
    return first.get(0).getInt(0);
  }

  private static Column zeros(int n) {
    return array_repeat(lit(0f), n);
  }
}
