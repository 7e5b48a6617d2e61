package org.aldi.ingest;

/** Parsers of the line formats of the citeulike-a files, shared by users.dat and item-tag.dat. */
final class LineFormat {
  private LineFormat() {}

  /**
   * Parses "N id_1 ... id_N" (N may be 0) into the ids, checking that N matches and every id is an int >= 0.
   *
   * @param lineIndex 0-based line index (reported 1-based)
   */
  static int[] countedIds(String file, long lineIndex, String line) {
    String trimmed = line.trim();
    if (trimmed.isEmpty()) {
      throw new MalformedInputException(file, lineIndex + 1, "empty line (expected \"N id_1 ... id_N\")");
    }
    String[] tokens = trimmed.split("\\s+");
    int count = nonNegativeInt(file, lineIndex, tokens[0], "count");
    if (count != tokens.length - 1) {
      throw new MalformedInputException(file, lineIndex + 1,
          "leading count is " + count + " but " + (tokens.length - 1) + " ids follow");
    }
    int[] ids = new int[count];
    for (int i = 0; i < count; i++) {
      ids[i] = nonNegativeInt(file, lineIndex, tokens[i + 1], "id");
    }
    return ids;
  }

  static int nonNegativeInt(String file, long lineIndex, String token, String what) {
    try {
      int value = Integer.parseInt(token.trim());
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new MalformedInputException(file, lineIndex + 1, what + " '" + token + "' is not an integer >= 0");
  }

  /** A text id: the trimmed token, which must not be empty. */
  static String nonEmpty(String file, long lineIndex, String token, String what) {
    String value = token.trim();
    if (value.isEmpty()) {
      throw new MalformedInputException(file, lineIndex + 1, what + " is empty");
    }
    return value;
  }

  /** An optional float field: null when blank. */
  static Float optionalFloat(String file, long lineIndex, String token, String what) {
    try {
      return token.isBlank() ? null : Float.parseFloat(token.trim());
    } catch (NumberFormatException e) {
      throw new MalformedInputException(file, lineIndex + 1, what + " '" + token + "' is not a number");
    }
  }

  /** An optional integer field: null when blank. */
  static Long optionalLong(String file, long lineIndex, String token, String what) {
    try {
      return token.isBlank() ? null : Long.parseLong(token.trim());
    } catch (NumberFormatException e) {
      throw new MalformedInputException(file, lineIndex + 1, what + " '" + token + "' is not an integer");
    }
  }
}
