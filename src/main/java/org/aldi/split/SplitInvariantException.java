package org.aldi.split;

/** A split (given or computed) that breaks one of the invariants the later stages rely on. */
public final class SplitInvariantException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SplitInvariantException(String message) {
    super(message);
  }
}
