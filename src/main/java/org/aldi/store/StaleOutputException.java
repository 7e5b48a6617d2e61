package org.aldi.store;

/** A stage output that was built from another run's upstream output than the one it would be combined with. */
public final class StaleOutputException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public StaleOutputException(String message) {
    super(message);
  }
}
