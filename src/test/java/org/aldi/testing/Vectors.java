package org.aldi.testing;

import java.util.List;
import java.util.Random;

/** Small vector helpers for tests, computed independently of the code under test. */
public final class Vectors {
  private Vectors() {}

  /** An n x k matrix of standard normal entries. */
  public static float[][] gaussian(Random random, int n, int k) {
    float[][] x = new float[n][k];
    for (float[] row : x) {
      for (int j = 0; j < k; j++) {
        row[j] = (float) random.nextGaussian();
      }
    }
    return x;
  }

  public static double dot(float[] a, float[] b) {
    double s = 0;
    for (int k = 0; k < a.length; k++) {
      s += a[k] * b[k];
    }
    return s;
  }

  public static double dot(double[] a, double[] b) {
    double s = 0;
    for (int k = 0; k < a.length; k++) {
      s += a[k] * b[k];
    }
    return s;
  }

  /** A Spark array column's value as floats. */
  public static float[] floats(List<?> values) {
    float[] x = new float[values.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = ((Number) values.get(i)).floatValue();
    }
    return x;
  }
}
