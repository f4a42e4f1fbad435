package io.mezzo.agent.containerizer;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signals whole process groups, which the JDK cannot do itself: it runs {@code kill -SIG -- -PGID}.
 * Every task runs in its own session and group (its pgid is its pid), so one signal reaches
 * everything the task forked.
 *
 * <p>Refuses pgids below 2: {@code kill -- -1} would signal every process the agent may signal.
 * Stateless and thread-safe; each call blocks for as long as {@code kill} runs (milliseconds).
 */
public final class ProcessGroups {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessGroups.class);

  private ProcessGroups() {}

  /** Sends {@code signal} ({@code TERM}, {@code KILL}, or {@code 0} to probe) to group {@code pgid}; true if it was delivered. */
  public static boolean signal(long pgid, String signal) {
    if (pgid < 2) {
      throw new IllegalArgumentException("BUG: pgid: " + pgid + " (expected: >= 2, a task's own process group)");
    }
    if (!signal.matches("0|[A-Z]+")) {
      throw new IllegalArgumentException("signal: '" + signal + "' (expected: 0 or a name such as TERM)");
    }
    ProcessBuilder pb = new ProcessBuilder(List.of("kill", "-" + signal, "--", "-" + pgid))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    try {
      Process kill = pb.start();
      if (!kill.waitFor(5, TimeUnit.SECONDS)) {
        kill.destroyForcibly();
        LOG.warn("kill -{} -- -{} did not finish within 5 s", signal, pgid);
        return false;
      }
      return kill.exitValue() == 0;
    } catch (IOException e) {
      LOG.error("cannot run kill -{} -- -{}: {}", signal, pgid, e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Whether any process of group {@code pgid} is still alive. */
  public static boolean isAlive(long pgid) {
    return signal(pgid, "0");
  }
}
