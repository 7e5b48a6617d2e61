package org.aldi.ingest;

/** A line of an input file that cannot be parsed: names the file, the 1-based line number and the reason. */
public final class MalformedInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MalformedInputException(String file, long lineNumber, String reason) {
    super("malformed input " + file + " line " + lineNumber + ": " + reason);
  }

  public MalformedInputException(String file, String reason) {
    super("malformed input " + file + ": " + reason);
  }
}
