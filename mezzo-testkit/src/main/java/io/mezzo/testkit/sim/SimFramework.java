package io.mezzo.testkit.sim;

import io.mezzo.core.json.Json;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.FrameworkInfo;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.core.scheduler.Call;
import io.mezzo.core.scheduler.Event;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One simulated framework on the real v1 scheduler HTTP API (JSON): it subscribes, launches as many
 * tasks of the configured size as fit in every offer it gets (declining offers too small for one;
 * with {@link SimConfig#maxLaunching} set, never more than that many between ACCEPT and TASK_RUNNING),
 * acknowledges every update that carries a uuid, and records how long each task took from its ACCEPT
 * being sent to its first TASK_RUNNING. While its shard is not accepting, offers are held unanswered.
 * A lost subscription is renewed (with the framework's id) after a second.
 *
 * <p>Owner: its shard's event loop; every method runs on it.
 */
final class SimFramework {
  static final String API = "/api/v1/scheduler";
  private static final CommandInfo COMMAND = CommandInfo.shell("sleep 10");
  /** As Marathon's default decline filter: leftovers too small for a task need not come back soon. */
  private static final double DECLINE_SMALL_SECONDS = 120;
  private static final double DECLINE_BUSY_SECONDS = 1;

  private final Shard shard;
  private final int index;
  private final String name;
  private final Map<TaskId, Long> acceptedAt = new HashMap<>();
  private FrameworkId id;
  private String streamId;
  private Channel stream;
  private boolean subscribed;
  private long nextTask;

  SimFramework(Shard shard, int index) {
    this.shard = shard;
    this.index = index;
    this.name = "sim-framework-" + index;
  }

  void subscribe() {
    FrameworkInfo info = new FrameworkInfo("sim", name, id, 60.0, false, null, null, null, null, null, null);
    byte[] body = Json.write(Call.subscribe(info));
    ChannelFuture connect = shard.net.connect(shard.loop, null,
        () -> new StreamHandler(shard.net.post(API, body, null), new Listener()));
    connect.addListener(f -> {
      if (!f.isSuccess()) {
        shard.counters.error(name + " cannot connect to the master: " + f.cause());
      }
    });
    Channel ch = connect.channel();
    stream = ch;
    ch.closeFuture().addListener(f -> ended(ch));
  }

  private final class Listener implements StreamHandler.Listener {
    @Override
    public void onOpened(HttpHeaders headers) {
      streamId = headers.get("Mesos-Stream-Id");
    }

    @Override
    public void onRecord(byte[] record) {
      onEvent(Json.read(record, Event.class));
    }

    @Override
    public void onRefused(int status, String body) {
      shard.counters.error(name + " SUBSCRIBE: " + (status < 0 ? "" : "HTTP " + status + ": ") + body);
    }
  }

  private void ended(Channel ch) {
    if (ch != stream) {
      return;
    }
    stream = null;
    if (subscribed) {
      subscribed = false;
      shard.counters.frameworksSubscribed--;
    }
    if (!shard.closed) {
      shard.loop.schedule(this::subscribe, 1, TimeUnit.SECONDS);
    }
  }

  private void onEvent(Event e) {
    switch (e.type()) {
      case SUBSCRIBED -> {
        id = e.subscribed().frameworkId();
        if (!subscribed) {
          subscribed = true;
          shard.counters.frameworksSubscribed++;
        }
      }
      case OFFERS -> e.offers().offers().forEach(this::offered);
      case UPDATE -> updated(e.update().status());
      case ERROR -> shard.counters.error(name + " got ERROR: " + (e.error() == null ? "" : e.error().message()));
      default -> { }
    }
  }

  private void offered(Offer offer) {
    shard.counters.offers++;
    if (!shard.accepting) {
      return;
    }
    Resources r = Resources.of(offer.resources());
    int fit = (int) Math.floor(Math.min(r.scalar("cpus") / shard.config.taskCpus(),
        r.scalar("mem") / shard.config.taskMem()) + 1e-9);
    boolean tooSmall = fit <= 0;
    int bound = shard.config.maxLaunching();
    if (bound > 0) {
      fit = Math.min(fit, bound - acceptedAt.size());
    }
    if (fit <= 0) {
      // Too small for a task (new resources lift the filter at once), or launching enough already.
      call(Call.decline(id, List.of(offer.id()), tooSmall ? DECLINE_SMALL_SECONDS : DECLINE_BUSY_SECONDS));
      return;
    }
    List<TaskInfo> launches = new ArrayList<>(fit);
    long now = System.nanoTime();
    for (int i = 0; i < fit; i++) {
      TaskId task = new TaskId("sim-" + index + "-" + nextTask++);
      launches.add(new TaskInfo("sim-task", task, offer.agentId(), shard.taskResources, COMMAND, null, null, null));
      acceptedAt.put(task, now);
    }
    shard.counters.tasksAccepted += fit;
    call(Call.accept(id, List.of(offer.id()), launches, null));
  }

  private void updated(TaskStatus s) {
    if (s.uuid() != null) {
      call(Call.acknowledge(id, s.agentId(), s.taskId(), s.uuid()));
    }
    TaskState state = s.state();
    if (state == TaskState.TASK_RUNNING) {
      Long accepted = acceptedAt.remove(s.taskId());
      if (accepted != null) {
        shard.counters.tasksRunning++;
        shard.counters.acceptToRunningMicros.recordValue(Math.max(1, (System.nanoTime() - accepted) / 1000));
      }
    } else if (state == TaskState.TASK_FINISHED) {
      acceptedAt.remove(s.taskId());
      shard.counters.tasksFinished++;
    } else if (state.isTerminal()) {
      acceptedAt.remove(s.taskId());
      shard.counters.tasksFailed++;
      shard.counters.error(name + ": task " + s.taskId() + " " + state + ": " + s.message());
    }
  }

  private void call(Call call) {
    shard.frameworkCalls.post(API, Json.write(call), streamId, (status, body) -> {
      if (status / 100 != 2) {
        shard.counters.callErrors++;
        shard.counters.error(name + " " + call.type() + ": " + (status < 0 ? "" : "HTTP " + status + ": ") + body);
      }
    });
  }

  void close() {
    if (stream != null) {
      stream.close();
    }
  }
}
