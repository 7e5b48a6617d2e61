package org.aldi.backbone;

import java.util.Random;

/** Initial embeddings as the reference code draws them: a normal truncated at two standard deviations. */
public final class TruncatedNormal {
  private TruncatedNormal() {}

  /** n values z * std, z standard normal redrawn while |z| > 2. */
  public static float[] sample(Random random, int n, double std) {
    float[] x = new float[n];
    for (int k = 0; k < n; k++) {
      double z;
      do {
        z = random.nextGaussian();
      } while (Math.abs(z) > 2);
      x[k] = (float) (z * std);
    }
    return x;
  }
}
