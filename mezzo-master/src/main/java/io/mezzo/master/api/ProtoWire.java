package io.mezzo.master.api;

import java.util.Arrays;

/**
 * A growing buffer of protobuf wire format (tags, varints, fixed-width and length-delimited values),
 * for {@link JsonToProto}. A nested message is written in place after a length slot of 5 bytes (the
 * largest varint of a length), then moved back over the unused part of the slot, so that no
 * per-message buffers are needed. Not thread-safe: one encoding owns it.
 */
final class ProtoWire {
  private byte[] buf = new byte[1024];
  private int pos;

  void varint(int field, long value) {
    tag(field, 0);
    rawVarint(value);
  }

  void fixed64(int field, long value) {
    tag(field, 1);
    ensure(8);
    for (int i = 0; i < 8; i++) {
      buf[pos++] = (byte) (value >>> (8 * i));
    }
  }

  void fixed32(int field, int value) {
    tag(field, 5);
    ensure(4);
    for (int i = 0; i < 4; i++) {
      buf[pos++] = (byte) (value >>> (8 * i));
    }
  }

  void bytes(int field, byte[] value) {
    tag(field, 2);
    rawVarint(value.length);
    ensure(value.length);
    System.arraycopy(value, 0, buf, pos, value.length);
    pos += value.length;
  }

  /** Starts a nested message; returns where its body starts, for {@link #endMessage}. */
  int beginMessage(int field) {
    tag(field, 2);
    ensure(5);
    pos += 5;
    return pos;
  }

  void endMessage(int start) {
    int length = pos - start;
    int slot = start - 5;
    int at = slot;
    long v = length;
    while ((v & ~0x7fL) != 0) {
      buf[at++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    buf[at++] = (byte) v;
    if (at < start) {
      System.arraycopy(buf, start, buf, at, length);
      pos = at + length;
    }
  }

  private void tag(int field, int wireType) {
    rawVarint(((long) field << 3) | wireType);
  }

  private void rawVarint(long value) {
    ensure(10);
    long v = value;
    while ((v & ~0x7fL) != 0) {
      buf[pos++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  private void ensure(int more) {
    if (pos + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
    }
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }
}
