package org.aldi.backbone;

import java.util.Arrays;
import java.util.Random;

/**
 * BPR matrix factorisation, the paper's MF teacher (Eq. 4 with the score e_u . e_i of Eq. 7), as the reference
 * code trains it (§2): user and item tables of dimension d initialised from a truncated normal (std init-std);
 * per batch of B triples (u, i, j) the loss
 * <pre>  L = mean_b softplus(-(e_u . e_i - e_u . e_j)) + reg / 2 * (||U_b|| + ||I_b|| + ||J_b||) / B</pre>
 * with the unsquared Frobenius norms of the batch's embedding matrices (rows repeat when an id repeats);
 * Adam as TensorFlow applies it to embedding tables (every row's moments decay at every step).
 * Rows are indexed by position in sorted id arrays; plain float arrays, user- and item-sized.
 */
final class BprMf {
  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPSILON = 1e-8;

  final int dim;
  final int[] userIds;
  final int[] itemIds;
  final float[] users;
  final float[] items;
  private final double learningRate;
  private final double reg;
  private final float[] mUsers;
  private final float[] vUsers;
  private final float[] mItems;
  private final float[] vItems;
  private final float[] gUsers;
  private final float[] gItems;
  private long steps;

  BprMf(int[] sortedUserIds, int[] sortedItemIds, int dim, double initStd, double learningRate, double reg,
      long seed) {
    this.dim = dim;
    this.userIds = sortedUserIds;
    this.itemIds = sortedItemIds;
    this.learningRate = learningRate;
    this.reg = reg;
    Random random = new Random(seed);
    this.users = TruncatedNormal.sample(random, sortedUserIds.length * dim, initStd);
    this.items = TruncatedNormal.sample(random, sortedItemIds.length * dim, initStd);
    this.mUsers = new float[users.length];
    this.vUsers = new float[users.length];
    this.mItems = new float[items.length];
    this.vItems = new float[items.length];
    this.gUsers = new float[users.length];
    this.gItems = new float[items.length];
  }

  /** Row of a user id; fails naming the id when it has no row. */
  int userRow(int id) {
    return row(userIds, id, "user");
  }

  int itemRow(int id) {
    return row(itemIds, id, "item");
  }

  private static int row(int[] ids, int id, String what) {
    int r = Arrays.binarySearch(ids, id);
    if (r < 0) {
      throw new IllegalStateException("BPR-MF: " + what + " " + id + " of a training triple is not a training "
          + what);
    }
    return r;
  }

  /** One Adam step on a batch of rows (u, i, j); returns the batch loss before the step. */
  double step(int[] u, int[] i, int[] j) {
    Arrays.fill(gUsers, 0f);
    Arrays.fill(gItems, 0f);
    double loss = lossAndGradient(u, i, j, gUsers, gItems);
    steps++;
    double lr = learningRate * Math.sqrt(1 - Math.pow(BETA2, steps)) / (1 - Math.pow(BETA1, steps));
    adam(users, gUsers, mUsers, vUsers, lr);
    adam(items, gItems, mItems, vItems, lr);
    return loss;
  }

  private static void adam(float[] theta, float[] g, float[] m, float[] v, double lr) {
    for (int k = 0; k < theta.length; k++) {
      m[k] = (float) (BETA1 * m[k] + (1 - BETA1) * g[k]);
      v[k] = (float) (BETA2 * v[k] + (1 - BETA2) * g[k] * g[k]);
      theta[k] -= (float) (lr * m[k] / (Math.sqrt(v[k]) + EPSILON));
    }
  }

  /**
   * The batch loss, adding its gradient into gradUsers / gradItems (tables of the same shapes as the
   * parameters). Rows u, i, j are table rows, not ids.
   */
  double lossAndGradient(int[] u, int[] i, int[] j, float[] gradUsers, float[] gradItems) {
    int b = u.length;
    int d = dim;
    double normU = frobenius(users, u);
    double normI = frobenius(items, i);
    double normJ = frobenius(items, j);
    double loss = reg / 2 * (normU + normI + normJ) / b;
    double regScale = reg / 2 / b;
    for (int r = 0; r < b; r++) {
      int ou = u[r] * d;
      int oi = i[r] * d;
      int oj = j[r] * d;
      double x = 0;
      for (int k = 0; k < d; k++) {
        x += users[ou + k] * (items[oi + k] - items[oj + k]);
      }
      loss += softplus(-x) / b;
      double s = -sigmoid(-x) / b; // d softplus(-x) / dx, over B
      for (int k = 0; k < d; k++) {
        float eu = users[ou + k];
        gradUsers[ou + k] += (float) (s * (items[oi + k] - items[oj + k]) + regScale * eu / normU);
        gradItems[oi + k] += (float) (s * eu + regScale * items[oi + k] / normI);
        gradItems[oj + k] += (float) (-s * eu + regScale * items[oj + k] / normJ);
      }
    }
    return loss;
  }

  /** ||X_b||_F of the batch matrix whose rows are table rows (repeats counted). */
  private double frobenius(float[] table, int[] rows) {
    double sum = 0;
    for (int r : rows) {
      for (int k = 0; k < dim; k++) {
        double x = table[r * dim + k];
        sum += x * x;
      }
    }
    return Math.sqrt(sum);
  }

  private static double softplus(double x) {
    return x > 30 ? x : Math.log1p(Math.exp(x));
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** A copy of the parameters (for keeping the best epoch). */
  float[][] snapshot() {
    return new float[][] {users.clone(), items.clone()};
  }
}
