package io.mezzo.testkit.sim;

import io.mezzo.core.agentapi.AgentCall;
import io.mezzo.core.agentapi.AgentEvent;
import io.mezzo.core.json.Json;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.AgentInfo;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One simulated agent speaking Mezzo's agent protocol on real sockets, as {@code mezzo-agent} does but
 * without processes: it holds its own SUBSCRIBE stream (reconnecting with backoff, announcing the tasks
 * it still tracks), sends HEARTBEAT calls every interval the master asked for, answers LAUNCH with
 * TASK_STARTING then TASK_RUNNING and, after the configured task duration, TASK_FINISHED, and KILL
 * with TASK_KILLED (TASK_LOST for a task it does not know). Each task's updates carry fresh uuids and
 * go one at a time: the next is sent when the master relays the acknowledgement of the previous one,
 * which is sent again every status retry interval until then, and at once after resubscribing.
 * A 404 answer to a call means the master forgot the agent: it subscribes again.
 *
 * <p>Owner: its shard's event loop; every method runs on it.
 */
final class SimAgent {
  static final String API = "/api/v1/agent";
  private static final int MIN_BACKOFF_MS = 500;
  private static final int MAX_BACKOFF_MS = 10_000;

  private final Shard shard;
  private final String hostname;
  private final InetSocketAddress source;
  private final Map<TaskId, SimTask> tasks = new HashMap<>();
  private AgentId id;
  private Channel stream;
  private boolean holdsSlot;
  private boolean subscribed;
  private long heartbeatNanos;
  private long nextHeartbeatNanos;
  private byte[] heartbeatBody;
  private int backoffMs = MIN_BACKOFF_MS;

  SimAgent(Shard shard, int index, InetSocketAddress source) {
    this.shard = shard;
    this.hostname = "sim-agent-" + index;
    this.source = source;
  }

  /** Opens the subscription (the shard granted a slot). */
  void subscribe() {
    holdsSlot = true;
    List<AgentCall.AgentTask> known = new ArrayList<>();
    for (SimTask t : tasks.values()) {
      known.add(new AgentCall.AgentTask(t.frameworkId, t.info, t.latest));
    }
    byte[] body = Json.write(AgentCall.subscribe(new AgentInfo(id, hostname, 5051, shard.agentResources), known));
    ChannelFuture connect = shard.net.connect(shard.loop, source,
        () -> new StreamHandler(shard.net.post(API, body, null), new Listener()));
    connect.addListener(f -> {
      if (!f.isSuccess()) {
        shard.counters.error(hostname + " cannot connect to the master: " + f.cause());
      }
    });
    Channel ch = connect.channel();
    stream = ch;
    ch.closeFuture().addListener(f -> ended(ch));
  }

  private final class Listener implements StreamHandler.Listener {
    @Override
    public void onOpened(HttpHeaders headers) {
    }

    @Override
    public void onRecord(byte[] record) {
      onEvent(Json.read(record, AgentEvent.class));
    }

    @Override
    public void onRefused(int status, String body) {
      shard.counters.error(hostname + " SUBSCRIBE: " + (status < 0 ? "" : "HTTP " + status + ": ") + body);
    }
  }

  private void ended(Channel ch) {
    if (ch != stream) {
      return;
    }
    stream = null;
    if (subscribed) {
      subscribed = false;
      shard.counters.agentsSubscribed--;
    }
    releaseSlot();
    if (!shard.closed) {
      int delay = ThreadLocalRandom.current().nextInt(backoffMs / 2, backoffMs + 1);
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      shard.loop.schedule(() -> shard.queueSubscribe(this), delay, TimeUnit.MILLISECONDS);
    }
  }

  private void releaseSlot() {
    if (holdsSlot) {
      holdsSlot = false;
      shard.subscribeDone();
    }
  }

  private void onEvent(AgentEvent e) {
    switch (e.type()) {
      case SUBSCRIBED -> subscribed(e.subscribed());
      case LAUNCH -> launch(e.launch().frameworkId(), e.launch().task());
      case KILL -> kill(e.kill().frameworkId(), e.kill().taskId());
      case ACKNOWLEDGE -> acknowledge(e.acknowledge().taskId(), e.acknowledge().uuid());
      case ERROR -> shard.counters.error(hostname + " got ERROR: " + (e.error() == null ? "" : e.error().message()));
      case HEARTBEAT -> { }
      default -> { }
    }
  }

  private void subscribed(AgentEvent.Subscribed s) {
    id = s.agentId();
    if (!subscribed) {
      subscribed = true;
      shard.counters.agentsSubscribed++;
    }
    shard.counters.agentSubscriptions++;
    backoffMs = MIN_BACKOFF_MS;
    releaseSlot();
    heartbeatNanos = Math.max(1_000_000L, (long) (s.heartbeatIntervalSeconds() * 1e9));
    nextHeartbeatNanos = System.nanoTime() + heartbeatNanos;
    heartbeatBody = Json.write(AgentCall.heartbeat(id));
    for (SimTask t : tasks.values()) {
      sendHead(t);
    }
  }

  void heartbeatIfDue(long now) {
    if (subscribed && now - nextHeartbeatNanos >= 0) {
      nextHeartbeatNanos = now + heartbeatNanos;
      shard.counters.heartbeatsSent++;
      shard.agentCalls.post(API, heartbeatBody, null, this::answered);
    }
  }

  private void launch(FrameworkId framework, TaskInfo info) {
    if (framework == null || info == null || info.taskId() == null || tasks.containsKey(info.taskId())) {
      shard.counters.error(hostname + " ignored LAUNCH of " + (info == null ? null : info.taskId()));
      return;
    }
    SimTask t = new SimTask(framework, info);
    tasks.put(info.taskId(), t);
    update(t, TaskState.TASK_STARTING, null);
    update(t, TaskState.TASK_RUNNING, null);
    t.finish = shard.loop.schedule(() -> {
      if (!t.isTerminal()) {
        update(t, TaskState.TASK_FINISHED, "simulated task done");
      }
    }, shard.config.taskDuration().toNanos(), TimeUnit.NANOSECONDS);
  }

  private void kill(FrameworkId framework, TaskId taskId) {
    SimTask t = tasks.get(taskId);
    if (t == null) {
      t = new SimTask(framework, new TaskInfo(taskId.value(), taskId, id, List.of(), null, null, null, null));
      tasks.put(taskId, t);
      update(t, TaskState.TASK_LOST, "unknown task");
    } else if (!t.isTerminal()) {
      t.finish.cancel(false);
      update(t, TaskState.TASK_KILLED, "killed by the framework");
    }
  }

  private void acknowledge(TaskId taskId, String uuid) {
    SimTask t = taskId == null ? null : tasks.get(taskId);
    TaskStatus head = t == null ? null : t.pending.peekFirst();
    if (head == null || !head.uuid().equals(uuid)) {
      return; // a duplicate acknowledgement of an update sent twice
    }
    t.pending.removeFirst();
    if (head.state().isTerminal()) {
      tasks.remove(taskId);
    } else {
      sendHead(t);
    }
  }

  private void update(SimTask t, TaskState state, String message) {
    TaskStatus s = new TaskStatus(t.info.taskId(), state, message, TaskStatus.Source.SOURCE_EXECUTOR, null, id,
        System.currentTimeMillis() / 1000.0, uuid(), null);
    t.latest = s;
    t.pending.addLast(s);
    if (t.pending.size() == 1) {
      sendHead(t);
    }
  }

  /** Sends {@code t}'s oldest unacknowledged update, if subscribed. */
  private void sendHead(SimTask t) {
    TaskStatus head = t.pending.peekFirst();
    if (head == null || !subscribed) {
      return;
    }
    shard.counters.statusUpdatesSent++;
    t.unanswered++;
    shard.agentCalls.post(API, Json.write(AgentCall.update(id, t.frameworkId, head)), null, (status, body) -> {
      t.unanswered--;
      answered(status, body);
    });
    shard.sent.add(new Shard.Sent(this, t, head.uuid(), System.nanoTime()));
  }

  /**
   * The retry interval passed since {@code uuid} of {@code t} was sent: send it again if still
   * unacknowledged. An update the master has not even answered yet (still queued in this process's
   * call pool) is not piled up again; its retry is looked at again one interval later.
   */
  void retry(SimTask t, String uuid) {
    TaskStatus head = t.pending.peekFirst();
    if (!subscribed || head == null || !head.uuid().equals(uuid) || tasks.get(t.info.taskId()) != t) {
      return;
    }
    if (t.unanswered > 0) {
      shard.sent.add(new Shard.Sent(this, t, uuid, System.nanoTime()));
      return;
    }
    shard.counters.statusUpdateRetries++;
    sendHead(t);
  }

  private void answered(int status, String body) {
    if (status == 404) {
      shard.counters.error(hostname + " forgotten by the master: " + body);
      if (stream != null) {
        stream.close();
      }
    } else if (status / 100 != 2) {
      shard.counters.callErrors++;
      shard.counters.error(hostname + " call: " + (status < 0 ? "" : "HTTP " + status + ": ") + body);
    }
  }

  void close() {
    if (stream != null) {
      stream.close();
    }
  }

  private static String uuid() {
    byte[] b = new byte[16];
    ThreadLocalRandom.current().nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }
}
