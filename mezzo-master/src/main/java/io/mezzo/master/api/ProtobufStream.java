package io.mezzo.master.api;

import com.google.protobuf.Descriptors.Descriptor;
import io.mezzo.core.http.HttpStream;
import io.mezzo.core.recordio.RecordIo;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link HttpStream} that takes RecordIO-framed JSON events, as Mezzo's event streams write them,
 * and passes each on to the client's stream as a RecordIO-framed protobuf {@code event} message.
 * Frames may arrive whole (the usual case, copied once), split or several to a chunk.
 *
 * <p>An event that does not fit the protobuf message is a Mezzo bug: it is logged and left out,
 * the stream goes on. {@link #send} is synchronized, as senders may be on any thread.
 */
final class ProtobufStream implements HttpStream {
  private static final Logger LOG = LoggerFactory.getLogger(ProtobufStream.class);

  private final HttpStream out;
  private final Descriptor event;
  /** Bytes of a frame not yet complete, {@code pending[0..pendingLength)}. */
  private byte[] pending = new byte[0];
  private int pendingLength;

  ProtobufStream(HttpStream out, Descriptor event) {
    this.out = out;
    this.event = event;
  }

  @Override
  public synchronized boolean send(byte[] chunk) {
    if (!out.isOpen()) {
      return false;
    }
    byte[] data = chunk;
    int length = chunk.length;
    if (pendingLength > 0) {
      data = Arrays.copyOf(pending, pendingLength + chunk.length);
      System.arraycopy(chunk, 0, data, pendingLength, chunk.length);
      length = data.length;
    }
    int pos = 0;
    while (pos < length) {
      int newline = -1;
      long size = 0;
      for (int i = pos; i < length; i++) {
        byte c = data[i];
        if (c == '\n') {
          newline = i;
          break;
        }
        if (c < '0' || c > '9' || i - pos >= 10) {
          LOG.error("BUG: RecordIO header byte {} (expected: decimal digits then '\\n'): closing the stream", c);
          pendingLength = 0;
          out.close();
          return false;
        }
        size = size * 10 + (c - '0');
      }
      if (newline < 0 || newline + 1 + size > length) {
        break; // the rest of this frame comes with a later chunk
      }
      forward(Arrays.copyOfRange(data, newline + 1, newline + 1 + (int) size));
      pos = newline + 1 + (int) size;
    }
    pendingLength = length - pos;
    if (pendingLength > 0) {
      pending = Arrays.copyOfRange(data, pos, length);
    }
    return true;
  }

  private void forward(byte[] json) {
    byte[] protobuf;
    try {
      protobuf = MesosProtobuf.fromJson(event, json);
    } catch (IllegalArgumentException e) {
      LOG.error("BUG: event left out of a protobuf stream: {}", e.getMessage());
      return;
    }
    out.send(RecordIo.frame(protobuf));
  }

  @Override
  public void close() {
    out.close();
  }

  @Override
  public boolean isOpen() {
    return out.isOpen();
  }

  @Override
  public void onClose(Runnable callback) {
    out.onClose(callback);
  }
}
