package io.mezzo.core.recordio;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * RecordIO framing as the Mesos v1 streaming APIs use it: each record is its length in bytes as
 * ASCII decimal, a newline, then the record itself.
 */
public final class RecordIo {
  /** The largest record a reader accepts by default. */
  public static final int DEFAULT_MAX_RECORD = 64 * 1024 * 1024;

  private RecordIo() {}

  /** {@code value} as JSON ({@link io.mezzo.core.json.Json}), framed: one event of a JSON stream. */
  public static byte[] jsonFrame(Object value) {
    return frame(io.mezzo.core.json.Json.write(value));
  }

  public static byte[] frame(byte[] record) {
    byte[] header = (record.length + "\n").getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[header.length + record.length];
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(record, 0, out, header.length, record.length);
    return out;
  }

  /**
   * Reads RecordIO records from a stream, one at a time. Not thread-safe: one reader thread owns it.
   */
  public static final class Reader {
    private final InputStream in;
    private final int maxRecord;

    public Reader(InputStream in) {
      this(in, DEFAULT_MAX_RECORD);
    }

    public Reader(InputStream in, int maxRecord) {
      this.in = in;
      this.maxRecord = maxRecord;
    }

    /** The next record, or {@code null} at a clean end of stream. */
    public byte[] next() throws IOException {
      long length = 0;
      int digits = 0;
      while (true) {
        int c = in.read();
        if (c < 0) {
          if (digits == 0) {
            return null;
          }
          throw new EOFException("RecordIO: stream ended inside a length header");
        }
        if (c == '\n') {
          break;
        }
        if (c < '0' || c > '9' || ++digits > 10) {
          throw new IOException("RecordIO: bad length header byte " + c + " (expected: decimal digits then '\\n')");
        }
        length = length * 10 + (c - '0');
      }
      if (digits == 0 || length > maxRecord) {
        throw new IOException("RecordIO: record length " + length + " (expected: 1 to " + maxRecord + ")");
      }
      byte[] record = in.readNBytes((int) length);
      if (record.length < length) {
        throw new EOFException("RecordIO: stream ended inside a record");
      }
      return record;
    }
  }
}
