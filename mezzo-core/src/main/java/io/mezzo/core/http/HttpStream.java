package io.mezzo.core.http;

/**
 * The server side of a long-lived chunked response (event streams). {@link #send} and
 * {@link #close} may be called from any thread; they hop onto the connection's event loop.
 */
public interface HttpStream {
  /** Queues one chunk; returns false when the stream is already closed. */
  boolean send(byte[] chunk);

  /** Ends the response and closes the connection. Idempotent. */
  void close();

  boolean isOpen();

  /** Runs {@code callback} once when the stream closes, for whatever reason (at once if closed). */
  void onClose(Runnable callback);

  /**
   * Bytes sent but not yet taken by the client's TCP stack (queued here or in the connection's
   * outbound buffer): how far a slow client has fallen behind.
   */
  default long queuedBytes() {
    return 0;
  }
}
