package org.aldi.backbone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** BPR-MF: its gradient against finite differences, and that Adam on it learns a planted preference. */
class BprMfTest {
  private static final int USERS = 6;
  private static final int ITEMS = 9;
  private static final int DIM = 4;

  @Test
  void gradientMatchesFiniteDifferences() {
    BprMf mf = new BprMf(ids(USERS), ids(ITEMS), DIM, 0.5, 0.001, 0.3, 11);
    // a repeated user and item, so the batch norms' repeated rows are exercised
    int[] u = {0, 3, 3, 5};
    int[] i = {1, 2, 7, 2};
    int[] j = {4, 8, 1, 0};
    float[] gU = new float[USERS * DIM];
    float[] gI = new float[ITEMS * DIM];
    mf.lossAndGradient(u, i, j, gU, gI);
    check(mf, mf.users, gU, u, i, j);
    check(mf, mf.items, gI, u, i, j);
  }

  private static void check(BprMf mf, float[] table, float[] grad, int[] u, int[] i, int[] j) {
    double eps = 1e-3;
    float[] scratchU = new float[USERS * DIM];
    float[] scratchI = new float[ITEMS * DIM];
    for (int k = 0; k < table.length; k++) {
      float saved = table[k];
      table[k] = (float) (saved + eps);
      double plus = mf.lossAndGradient(u, i, j, scratchU, scratchI);
      table[k] = (float) (saved - eps);
      double minus = mf.lossAndGradient(u, i, j, scratchU, scratchI);
      table[k] = saved;
      double numeric = (plus - minus) / (2 * eps);
      assertEquals(numeric, grad[k], 2e-3 * Math.max(1, Math.abs(numeric)), "parameter " + k);
    }
  }

  @Test
  void adamStepsLearnAPlantedPreference() {
    // users prefer items of their own parity; after training, own-parity items outscore the others
    int users = 40;
    int items = 30;
    BprMf mf = new BprMf(ids(users), ids(items), 8, 0.01, 0.01, 0.001, 5);
    Random random = new Random(1);
    int b = 64;
    double first = 0;
    double last = 0;
    for (int step = 0; step < 300; step++) {
      int[] u = new int[b];
      int[] i = new int[b];
      int[] j = new int[b];
      for (int r = 0; r < b; r++) {
        u[r] = random.nextInt(users);
        i[r] = 2 * random.nextInt(items / 2) + u[r] % 2;
        j[r] = 2 * random.nextInt(items / 2) + 1 - u[r] % 2;
      }
      double loss = mf.step(u, i, j);
      if (step == 0) {
        first = loss;
      }
      last = loss;
    }
    assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
    int correct = 0;
    int pairs = 0;
    for (int u = 0; u < users; u++) {
      for (int i = 0; i < items; i++) {
        for (int j = 0; j < items; j++) {
          if (i % 2 == u % 2 && j % 2 != u % 2) {
            pairs++;
            if (score(mf, u, i) > score(mf, u, j)) {
              correct++;
            }
          }
        }
      }
    }
    assertTrue(correct > 0.95 * pairs, "AUC " + (double) correct / pairs);
  }

  private static double score(BprMf mf, int u, int i) {
    double s = 0;
    for (int k = 0; k < mf.dim; k++) {
      s += mf.users[u * mf.dim + k] * mf.items[i * mf.dim + k];
    }
    return s;
  }

  private static int[] ids(int n) {
    int[] ids = new int[n];
    for (int k = 0; k < n; k++) {
      ids[k] = 10 + 2 * k;
    }
    return ids;
  }
}
