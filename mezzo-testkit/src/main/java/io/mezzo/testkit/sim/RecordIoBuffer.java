package io.mezzo.testkit.sim;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.function.Consumer;

/**
 * Reassembles RecordIO records ({@code <decimal length>\n<record>}) from the chunks of a streamed
 * HTTP response, whatever their boundaries. Bytes are copied only when a record spans chunks. Owned
 * by the channel's event loop; {@link #release} when the stream ends.
 */
final class RecordIoBuffer {
  private static final int MAX_RECORD = 64 * 1024 * 1024;
  private ByteBuf pending;

  /** Gives every complete record in {@code chunk} (plus what earlier chunks left) to {@code onRecord}. */
  void feed(ByteBuf chunk, Consumer<byte[]> onRecord) {
    ByteBuf in = chunk;
    if (pending != null && pending.isReadable()) {
      pending.writeBytes(chunk);
      in = pending;
    }
    while (in.isReadable()) {
      int newline = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
      if (newline < 0) {
        if (in.readableBytes() > 12) {
          throw new IllegalStateException("RecordIO: no newline within 12 header bytes (expected: a length)");
        }
        break;
      }
      long length = 0;
      for (int i = in.readerIndex(); i < newline; i++) {
        byte c = in.getByte(i);
        if (c < '0' || c > '9') {
          throw new IllegalStateException("RecordIO: bad length header byte " + c + " (expected: decimal digits)");
        }
        length = length * 10 + (c - '0');
      }
      if (newline == in.readerIndex() || length > MAX_RECORD) {
        throw new IllegalStateException("RecordIO: record length " + length + " (expected: 1 to " + MAX_RECORD + ")");
      }
      if (in.writerIndex() - newline - 1 < length) {
        break;
      }
      byte[] record = new byte[(int) length];
      in.getBytes(newline + 1, record);
      in.readerIndex(newline + 1 + (int) length);
      onRecord.accept(record);
    }
    if (in == chunk && chunk.isReadable()) {
      if (pending == null) {
        pending = Unpooled.buffer(Math.max(256, chunk.readableBytes() * 2));
      }
      pending.writeBytes(chunk);
    } else if (pending != null) {
      pending.discardReadBytes();
    }
  }

  void release() {
    if (pending != null) {
      pending.release();
      pending = null;
    }
  }
}
