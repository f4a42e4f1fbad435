package io.mezzo.core.scheduler;

import io.mezzo.core.http.JsonClient;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.FrameworkInfo;
import io.mezzo.core.model.TaskStatus;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A framework's connection to a master through the Mesos v1 scheduler HTTP API: one SUBSCRIBE
 * stream whose events go to a listener (on the stream's reader thread, in order), and calls sent
 * with the stream's {@code Mesos-Stream-Id}. Usable by any framework: {@code mezzo execute}, the
 * services scheduler, tests. Thread-safe.
 */
public final class SchedulerClient implements AutoCloseable {
  private final URI endpoint;
  private final JsonClient http;
  private final JsonClient.Subscription subscription;
  private final String streamId;
  private final CompletableFuture<FrameworkId> frameworkId;

  private SchedulerClient(URI endpoint, JsonClient http, JsonClient.Subscription subscription, String streamId,
      CompletableFuture<FrameworkId> frameworkId) {
    this.endpoint = endpoint;
    this.http = http;
    this.subscription = subscription;
    this.streamId = streamId;
    this.frameworkId = frameworkId;
  }

  /**
   * Subscribes {@code info} to the master at {@code masterHostPort} and waits for SUBSCRIBED. Given
   * several masters ({@code HOST:PORT,HOST:PORT,...}) or {@code zk://...} it finds who leads
   * ({@link io.mezzo.core.ha.MasterDetector}); a standby's 307 is followed once.
   * {@code onEvent} sees every event, SUBSCRIBED included; {@code onDisconnect} runs once when the
   * stream ends (with the cause, or null).
   *
   * @throws SchedulerException when the master refuses the subscription or cannot be reached
   */
  public static SchedulerClient subscribe(String masterHostPort, FrameworkInfo info, Consumer<Event> onEvent,
      Consumer<Throwable> onDisconnect, Duration timeout) {
    return subscribe(masterHostPort, io.mezzo.core.auth.Caller.NONE, info, onEvent, onDisconnect, timeout);
  }

  /**
   * As {@link #subscribe(String, FrameworkInfo, Consumer, Consumer, Duration)}, calling as
   * {@code caller} (the framework principal's secret; TLS when the master speaks it).
   */
  public static SchedulerClient subscribe(String masterHostPort, io.mezzo.core.auth.Caller caller, FrameworkInfo info,
      Consumer<Event> onEvent, Consumer<Throwable> onDisconnect, Duration timeout) {
    String leader = masterHostPort;
    if (masterHostPort.contains(",") || masterHostPort.contains("://")) { // several masters, or zk://: who leads?
      try (io.mezzo.core.ha.MasterDetector detector = io.mezzo.core.ha.MasterDetector.of(masterHostPort)) {
        leader = detector.detect()
            .orElseThrow(() -> new SchedulerException("no leading master known from " + masterHostPort));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SchedulerException("interrupted while finding the leading master", e);
      }
    }
    try {
      return subscribeTo(leader, caller, info, onEvent, onDisconnect, timeout);
    } catch (Redirected r) { // a standby: once to the leader it names
      try {
        return subscribeTo(r.leader, caller, info, onEvent, onDisconnect, timeout);
      } catch (Redirected again) {
        throw new SchedulerException("master " + r.leader + " redirected to " + again.leader + " in turn");
      }
    }
  }

  /** A 307 to the leading master. */
  private static final class Redirected extends RuntimeException {
    final String leader;

    Redirected(String leader) {
      super("redirected to " + leader, null, false, false);
      this.leader = leader;
    }
  }

  private static SchedulerClient subscribeTo(String masterHostPort, io.mezzo.core.auth.Caller caller,
      FrameworkInfo info, Consumer<Event> onEvent, Consumer<Throwable> onDisconnect, Duration timeout) {
    JsonClient http = new JsonClient(Duration.ofSeconds(5), Duration.ofSeconds(30), caller);
    URI endpoint = http.uri(masterHostPort, "/api/v1/scheduler");
    CompletableFuture<FrameworkId> id = new CompletableFuture<>();
    JsonClient.Subscription sub;
    try {
      sub = http.subscribe(endpoint, Call.subscribe(info), Map.of(), Event.class, e -> {
        if (e.type() == Event.Type.SUBSCRIBED && e.subscribed() != null) {
          id.complete(e.subscribed().frameworkId());
        }
        onEvent.accept(e);
      }, cause -> {
        id.completeExceptionally(new SchedulerException("subscription ended before SUBSCRIBED"
            + (cause == null ? "" : ": " + cause)));
        onDisconnect.accept(cause);
      });
    } catch (IOException e) {
      throw new SchedulerException("cannot reach master at " + masterHostPort + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchedulerException("interrupted while subscribing", e);
    }
    if (!sub.isOpen() && sub.reply().status() == 307) {
      var to = io.mezzo.core.ha.MasterDetector.hostPortOf(sub.reply().headers().get("location"));
      if (to.isPresent()) {
        throw new Redirected(to.get());
      }
    }
    if (!sub.isOpen()) {
      throw new SchedulerException("master refused SUBSCRIBE: HTTP " + sub.reply().status() + ": " + sub.reply().body());
    }
    String streamId = sub.reply().headers().get("mesos-stream-id");
    SchedulerClient client = new SchedulerClient(endpoint, http, sub, streamId, id);
    try {
      id.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      client.close();
      throw new SchedulerException("no SUBSCRIBED event within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      client.close();
      throw new SchedulerException("interrupted while subscribing", e);
    } catch (java.util.concurrent.ExecutionException e) {
      client.close();
      throw new SchedulerException(e.getCause().getMessage(), e.getCause());
    }
    return client;
  }

  public FrameworkId frameworkId() {
    return frameworkId.join();
  }

  /** Sends {@code call} (framework id filled in when absent); completes with the HTTP reply. */
  public CompletableFuture<JsonClient.Reply> send(Call call) {
    Call withId = call.frameworkId() != null ? call : new Call(frameworkId(), call.type(), call.subscribe(),
        call.accept(), call.decline(), call.kill(), call.acknowledge(), call.reconcile(), call.revive(), call.suppress(),
        call.shutdown(), call.message());
    return http.post(endpoint, withId, Map.of("Mesos-Stream-Id", streamId));
  }

  /** Acknowledges {@code status} if it carries a uuid; completes at once otherwise. */
  public CompletableFuture<JsonClient.Reply> acknowledge(TaskStatus status) {
    if (status.uuid() == null) {
      return CompletableFuture.completedFuture(new JsonClient.Reply(202, Map.of(), ""));
    }
    return send(Call.acknowledge(frameworkId(), status.agentId(), status.taskId(), status.uuid()));
  }

  /** Closes the subscription stream (the master then treats the framework as disconnected). */
  @Override
  public void close() {
    subscription.close();
  }

  /** The master refused or could not be reached. */
  public static final class SchedulerException extends RuntimeException {
    public SchedulerException(String message) {
      super(message);
    }

    public SchedulerException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
