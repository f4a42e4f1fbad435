package io.mezzo.agent.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskState;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Retries back off: each resend of an unacknowledged update waits twice as long as the one before,
 * up to the cap. The loop here records each delay asked for and runs the retry at once, so no time
 * passes in the test.
 */
class StatusUpdateBackoffTest {
  @Test
  void unacknowledgedUpdateIsResentWithDoublingDelaysUpToTheCap() {
    List<Long> delays = new CopyOnWriteArrayList<>();
    AtomicInteger sends = new AtomicInteger();
    ScheduledThreadPoolExecutor loop = new ScheduledThreadPoolExecutor(1) {
      @Override
      public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        if (delay == 0) { // execute() comes here too
          return super.schedule(command, 0, unit);
        }
        delays.add(unit.toMillis(delay));
        return super.schedule(command, delays.size() < 14 ? 0 : 1, delays.size() < 14 ? unit : TimeUnit.HOURS);
      }
    };
    try {
      StatusUpdateManager updates = new StatusUpdateManager(loop, Duration.ofSeconds(10),
          (fw, status) -> sends.incrementAndGet(), Clock.systemUTC());
      loop.execute(() -> {
        updates.connected();
        UpdateStream stream = updates.open(FrameworkId.of("fw"), TaskId.of("t"), () -> { });
        updates.enqueue(stream, updates.newStatus(TaskId.of("t"), TaskState.TASK_RUNNING, null, null, AgentId.of("a")));
      });
      await().atMost(Duration.ofSeconds(10)).until(() -> delays.size() >= 14);
      assertThat(delays.subList(0, 8)).containsExactly(10_000L, 20_000L, 40_000L, 80_000L, 160_000L, 320_000L, 600_000L, 600_000L);
      assertThat(sends.get()).isEqualTo(14); // the first send, then one per retry that ran
    } finally {
      loop.shutdownNow();
    }
  }
}
