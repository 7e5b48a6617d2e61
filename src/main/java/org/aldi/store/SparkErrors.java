package org.aldi.store;

/** Helpers for exceptions that Spark wraps. */
public final class SparkErrors {
  private SparkErrors() {}

  /**
   * An exception thrown inside a Spark task reaches the driver wrapped in a SparkException with a long message;
   * this returns the first exception of the given type in the cause chain, or null, so that a stage can rethrow
   * its own clear error.
   */
  public static <T extends Throwable> T causeOfType(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
