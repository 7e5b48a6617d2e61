package org.aldi.distill;

import java.io.PrintStream;

/**
 * ND4J 1.0.0-M2.1 prints "Added differentiated op NAME" to standard output, unconditionally, for every op each
 * time a SameDiff gradient function is built (SameDiff.java line 5044), which DL4J's Spark workers do every
 * averaging round: thousands of lines per epoch that bury the pipeline's own output. This drops exactly those
 * lines from System.out in the JVM that builds the graph (driver or executor) and passes everything else on.
 */
final class SameDiffChatter {
  private static final String PREFIX = "Added differentiated op ";

  private SameDiffChatter() {}

  static synchronized void silence() {
    if (!(System.out instanceof Filter)) {
      System.setOut(new Filter(System.out));
    }
  }

  private static final class Filter extends PrintStream {
    Filter(PrintStream out) {
      super(out, true);
    }

    @Override
    public void println(String line) {
      if (line == null || !line.startsWith(PREFIX)) {
        super.println(line);
      }
    }
  }
}
