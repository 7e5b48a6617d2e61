package org.aldi.report;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** NumPy's .npy format (version 1.0, little-endian, C order), so that a notebook reads arrays with numpy.load. */
final class Npy {
  private Npy() {}

  /** A (rows x cols) float32 matrix, row-major. */
  static byte[] float32(float[] values, int rows, int cols) {
    ByteBuffer data = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    data.asFloatBuffer().put(values);
    return file("<f4", "(" + rows + ", " + cols + ")", data.array());
  }

  /** A vector of int32. */
  static byte[] int32(int[] values) {
    ByteBuffer data = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    data.asIntBuffer().put(values);
    return file("<i4", "(" + values.length + ",)", data.array());
  }

  private static byte[] file(String descr, String shape, byte[] data) {
    StringBuilder header = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }");
    // magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n
    while ((10 + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    byte[] h = header.toString().getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream out = new ByteArrayOutputStream(10 + h.length + data.length);
    out.write(0x93);
    out.writeBytes("NUMPY".getBytes(StandardCharsets.US_ASCII));
    out.write(1);
    out.write(0);
    out.write(h.length & 0xff);
    out.write(h.length >> 8);
    out.writeBytes(h);
    out.writeBytes(data);
    return out.toByteArray();
  }
}
