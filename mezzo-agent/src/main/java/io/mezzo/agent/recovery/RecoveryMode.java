package io.mezzo.agent.recovery;

import java.util.Locale;

/**
 * What a restarted agent does with the tasks it finds checkpointed in its work directory
 * ({@code --recover}, as in Mesos).
 */
public enum RecoveryMode {
  /** Re-adopt tasks that are still running and report the real exit status of those that ended. */
  RECONNECT,
  /** Kill every task left over from the previous run and report it killed. */
  CLEANUP;

  /** Parses {@code reconnect} or {@code cleanup} (any case). */
  public static RecoveryMode parse(String text) {
    if (text != null) {
      for (RecoveryMode m : values()) {
        if (m.name().equals(text.toUpperCase(Locale.ROOT))) {
          return m;
        }
      }
    }
    throw new IllegalArgumentException("recover: '" + text + "' (expected: reconnect or cleanup)");
  }
}
