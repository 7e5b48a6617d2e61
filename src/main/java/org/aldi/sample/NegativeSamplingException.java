package org.aldi.sample;

/** No negative item found for a user within aldi.sample.max-negative-draws draws. */
public final class NegativeSamplingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NegativeSamplingException(String message) {
    super(message);
  }
}
