package io.mezzo.agent.status;

import io.mezzo.agent.recovery.TaskCheckpoint;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers task status updates at least once and in order per task, until the framework
 * acknowledges them (the Mesos agent's status update manager).
 *
 * <p>A stream opened with a {@link TaskCheckpoint} survives agent restarts: each update is appended
 * to it (and forced to disk) before it is sent, each acknowledgement before it is acted on, and the
 * checkpoint is deleted once the terminal update is acknowledged; a restarted agent puts the
 * unacknowledged updates back with {@link #restore}. Duplicates are possible (an update sent, then
 * the agent killed before the acknowledgement was recorded), losses are not.
 *
 * <p>Each task has an {@link UpdateStream}. Only a stream's head is in flight: it is sent when it
 * becomes the head, again after {@code retryInterval}, then after twice as long each time up to
 * {@link #MAX_BACKOFF} (or {@code retryInterval} if longer), and at once whenever the agent (re)subscribes.
 * An {@code ACKNOWLEDGE} carrying the head's uuid removes it and sends the next update. When a
 * terminal update is acknowledged the stream closes and its {@code onTerminalAcknowledged} runs (the
 * agent then forgets the task; its sandbox stays). Nothing is sent while the agent is not subscribed.
 *
 * <p>Owner: the agent loop. Every method must be called on it, and {@code loop} must be that same
 * single-threaded executor, so retry timers run on the owner thread too.
 */
public final class StatusUpdateManager {
  private static final Logger LOG = LoggerFactory.getLogger(StatusUpdateManager.class);

  /** Where the retry backoff stops doubling (as Mesos's status update manager). */
  public static final Duration MAX_BACKOFF = Duration.ofMinutes(10);

  /** Sends one UPDATE call to the master; must not block (the answer does not matter: acks come as events). */
  @FunctionalInterface
  public interface Transport {
    void send(FrameworkId framework, TaskStatus status);
  }

  private final ScheduledExecutorService loop;
  private final Duration retryInterval;
  private final Transport transport;
  private final Clock clock;
  private final Set<UpdateStream> streams = new LinkedHashSet<>();
  private final Map<String, UpdateStream> byHeadUuid = new HashMap<>();
  private boolean connected;

  public StatusUpdateManager(ScheduledExecutorService loop, Duration retryInterval, Transport transport, Clock clock) {
    this.loop = loop;
    this.retryInterval = retryInterval;
    this.transport = transport;
    this.clock = clock;
  }

  /**
   * A new update for {@code task}: a fresh random uuid (base64 of 16 bytes), source
   * {@code SOURCE_EXECUTOR}, the agent's id, and the time now in epoch seconds.
   */
  public TaskStatus newStatus(TaskId task, TaskState state, String message, String reason, AgentId agent) {
    return new TaskStatus(task, state, message, TaskStatus.Source.SOURCE_EXECUTOR, reason, agent,
        clock.millis() / 1000.0, randomUuid(), null);
  }

  /** Opens an empty stream for one task. */
  public UpdateStream open(FrameworkId framework, TaskId task, Runnable onTerminalAcknowledged) {
    return open(framework, task, onTerminalAcknowledged, null);
  }

  /** Opens an empty stream for one task whose updates and acknowledgements go to {@code checkpoint} first. */
  public UpdateStream open(FrameworkId framework, TaskId task, Runnable onTerminalAcknowledged, TaskCheckpoint checkpoint) {
    UpdateStream stream = new UpdateStream(framework, task, onTerminalAcknowledged, checkpoint);
    streams.add(stream);
    return stream;
  }

  /**
   * Puts updates found unacknowledged in a checkpoint back into {@code stream}, in order, without
   * writing them again; the head is sent when the agent is subscribed.
   */
  public void restore(UpdateStream stream, List<TaskStatus> pending) {
    if (!stream.pending.isEmpty()) {
      throw new IllegalStateException("BUG: restore into stream of task " + stream.taskId + " holding "
          + stream.pending.size() + " update(s) (expected: a new stream)");
    }
    for (TaskStatus status : pending) {
      stream.pending.addLast(status);
      stream.terminalQueued = status.state().isTerminal();
    }
    if (!stream.pending.isEmpty()) {
      startHead(stream);
    }
  }

  /** Appends {@code status} (which carries its uuid); it is sent at once if it is the only one. */
  public void enqueue(UpdateStream stream, TaskStatus status) {
    if (stream.closed || stream.terminalQueued) {
      throw new IllegalStateException("BUG: update " + status.state() + " of task " + stream.taskId
          + " after its terminal update (expected: nothing after a terminal state)");
    }
    if (status.uuid() == null) {
      throw new IllegalArgumentException("BUG: status.uuid: missing (expected: made by newStatus)");
    }
    if (stream.checkpoint != null) {
      stream.checkpoint.update(status);
    }
    stream.pending.addLast(status);
    stream.terminalQueued = status.state().isTerminal();
    if (stream.pending.size() == 1) {
      startHead(stream);
    }
  }

  /**
   * Handles {@code ACKNOWLEDGE}: true if {@code uuid} was the head of {@code task}'s stream. Stale or
   * duplicate acknowledgements (the update was resent and acknowledged twice) are ignored.
   */
  public boolean acknowledge(FrameworkId framework, TaskId task, String uuid) {
    UpdateStream stream = uuid == null ? null : byHeadUuid.get(uuid);
    if (stream == null || !stream.taskId.equals(task) || !stream.frameworkId.equals(framework)) {
      LOG.debug("ignoring acknowledgement {} for task {} of framework {}: not an update in flight", uuid, task, framework);
      return false;
    }
    if (stream.checkpoint != null) {
      stream.checkpoint.ack(uuid);
    }
    byHeadUuid.remove(uuid);
    cancelRetry(stream);
    TaskStatus acked = stream.pending.removeFirst();
    LOG.debug("task {}: {} acknowledged", task, acked.state());
    if (acked.state().isTerminal()) {
      stream.closed = true;
      streams.remove(stream);
      if (stream.checkpoint != null) {
        stream.checkpoint.delete();
      }
      stream.onTerminalAcknowledged.run();
    } else if (!stream.pending.isEmpty()) {
      startHead(stream);
    }
    return true;
  }

  /** The agent is subscribed: every head is sent now and its retry timer restarts. */
  public void connected() {
    connected = true;
    for (UpdateStream stream : streams) {
      if (!stream.pending.isEmpty()) {
        cancelRetry(stream);
        startHead(stream);
      }
    }
  }

  /** The link to the master is down: updates wait (their timers keep running but send nothing). */
  public void disconnected() {
    connected = false;
  }

  /** Closes {@code stream} without delivering what is left (the agent is stopping). */
  public void abandon(UpdateStream stream) {
    cancelRetry(stream);
    if (!stream.pending.isEmpty()) {
      byHeadUuid.remove(stream.pending.peekFirst().uuid());
    }
    stream.closed = true;
    streams.remove(stream);
  }

  /** Every update waiting for its acknowledgement, stream by stream, heads first (for state views and tests). */
  public List<TaskStatus> pending() {
    List<TaskStatus> out = new ArrayList<>();
    streams.forEach(s -> out.addAll(s.pending));
    return out;
  }

  private void startHead(UpdateStream stream) {
    TaskStatus head = stream.pending.peekFirst();
    byHeadUuid.put(head.uuid(), stream);
    send(stream);
    stream.backoffMs = retryInterval.toMillis();
    scheduleRetry(stream);
  }

  private void scheduleRetry(UpdateStream stream) {
    stream.retry = loop.schedule(() -> {
      if (stream.closed || stream.pending.isEmpty()) {
        return;
      }
      send(stream);
      stream.backoffMs = Math.min(stream.backoffMs * 2, Math.max(MAX_BACKOFF.toMillis(), retryInterval.toMillis()));
      scheduleRetry(stream);
    }, stream.backoffMs, TimeUnit.MILLISECONDS);
  }

  private void send(UpdateStream stream) {
    TaskStatus head = stream.pending.peekFirst();
    if (!connected || head == null || stream.closed) {
      return;
    }
    LOG.debug("task {}: sending {} (uuid {})", stream.taskId, head.state(), head.uuid());
    transport.send(stream.frameworkId, head);
  }

  private static void cancelRetry(UpdateStream stream) {
    if (stream.retry != null) {
      stream.retry.cancel(false);
      stream.retry = null;
    }
  }

  private static String randomUuid() {
    UUID u = UUID.randomUUID();
    ByteBuffer b = ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
    return Base64.getEncoder().encodeToString(b.array());
  }
}
