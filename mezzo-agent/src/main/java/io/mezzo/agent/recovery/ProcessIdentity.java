package io.mezzo.agent.recovery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Tells a process apart from a later one that reuses its pid: {@code /proc/PID/stat} field 22, the
 * start time in clock ticks since boot, never changes for a process and differs for its successor.
 * A zombie counts as gone (it has exited; only its parent's reaping is missing). Stateless.
 */
public final class ProcessIdentity {
  private ProcessIdentity() {}

  /** The start time of live process {@code pid}, or empty if it is gone or a zombie. */
  public static OptionalLong startTime(long pid) {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    } catch (IOException e) {
      return OptionalLong.empty();
    }
    // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    if (f.length < 20 || f[0].equals("Z") || f[0].equals("X")) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(f[19]));
  }

  /** Whether {@code pid} is alive and is the process that started at {@code startTime}. */
  public static boolean isSame(long pid, long startTime) {
    OptionalLong now = startTime(pid);
    return now.isPresent() && now.getAsLong() == startTime;
  }
}
