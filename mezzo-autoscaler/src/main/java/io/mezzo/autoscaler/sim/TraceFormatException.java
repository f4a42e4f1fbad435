package io.mezzo.autoscaler.sim;

/**
 * A trace file that is not the {@code t_seconds,rps} CSV {@link Trace} reads; the message names the
 * file, the line, the bad value and what was expected.
 */
public final class TraceFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  TraceFormatException(String message) {
    super(message);
  }
}
