package io.mezzo.agent.link;

import io.mezzo.core.agentapi.AgentCall;
import io.mezzo.core.agentapi.AgentEvent;
import io.mezzo.core.ha.MasterDetector;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.model.AgentId;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's connection to the master: subscribes, keeps the subscription alive with heartbeats, and
 * subscribes again whenever it is lost.
 *
 * <p>One session: POST {@code SUBSCRIBE} (built fresh by the {@link Listener}, so it carries the
 * agent's id and tasks of that moment); on 200 the RecordIO event stream is read by the
 * {@link JsonClient}'s reader thread, which hands each event to the listener in stream order. After
 * {@code SUBSCRIBED}, a {@code HEARTBEAT} call goes out every heartbeat interval. The session ends when
 * the stream ends or fails, when nothing at all (not even a {@code HEARTBEAT} event) has arrived for
 * three intervals, or when a call is answered 404 (the master forgot the agent). Between sessions the
 * link backs off from 200 ms, doubling up to 5 s (1 s when it knows several masters, so that a failover
 * is noticed soon); a session that got {@code SUBSCRIBED} resets it.
 *
 * <p>Finding the leader: given several masters ({@code HOST:PORT,HOST:PORT,...}) or a {@code zk://}
 * address (read through the {@link MasterDetector} factory the {@code mezzo} jar carries), each session
 * first asks who leads ({@link MasterDetector}); a SUBSCRIBE answered {@code 307} (a standby) is sent
 * again at once to the {@code Location} it names. The agent keeps its id and tasks across leaders: the
 * new leader rebuilds its view from the SUBSCRIBE that carries them.
 *
 * <p>Threads: the session state belongs to the link's own thread ({@code agent-master-link}); the
 * reader thread and HTTP reply callbacks talk to it only through a queue of {@link Signal}s tagged
 * with their session, so late signals from an old session are ignored. Time comes from the injected
 * {@code nanos} ticker.
 */
public final class MasterLink implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MasterLink.class);

  static final Duration INITIAL_BACKOFF = Duration.ofMillis(200);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
  /** How long to wait for SUBSCRIBED, before the heartbeat interval is known. */
  static final Duration FIRST_EVENT_TIMEOUT = Duration.ofSeconds(15);
  static final int MISSED_INTERVALS = 3;

  /**
   * What the link needs from the agent. Called on the link's threads: implementations hand the work
   * over to the agent's own thread.
   */
  public interface Listener {
    /** The SUBSCRIBE call to send now; may block briefly. */
    AgentCall subscribeCall() throws InterruptedException;

    /** One event of the current session, in stream order (on the stream's reader thread). */
    void onEvent(AgentEvent event);

    /** The session that delivered events has ended; updates must wait for the next SUBSCRIBED. */
    void onDisconnected();

    /** The running tasks' latest usage, sent with each HEARTBEAT; must not block. */
    default java.util.List<AgentCall.TaskUsage> heartbeatUsage() {
      return java.util.List.of();
    }
  }

  private sealed interface Signal permits Heard, Ended, Forgotten, Stop {}

  private record Heard(long session, AgentEvent event) implements Signal {}

  private record Ended(long session, Throwable cause) implements Signal {}

  private record Forgotten(long session, String why) implements Signal {}

  private record Stop() implements Signal {}

  private final MasterDetector detector;
  /** The agent API of the master subscribed to; null until a leader is known. */
  private volatile URI uri;
  private volatile String master;
  /** The leader a 307 named, tried first by the next session; the link thread's. */
  private String redirectedTo;
  private int redirectsInARow;
  private final JsonClient client;
  private final Listener listener;
  private final LongSupplier nanos;
  private final BlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean closed;
  private volatile long currentSession;

  /**
   * @param masterHostPort {@code HOST:PORT[,HOST:PORT...]} or another spec {@link MasterDetector#of}
   *     reads ({@code zk://...}); calls go to {@code http(s)://LEADER/api/v1/agent}
   */
  public MasterLink(String masterHostPort, JsonClient client, Listener listener, LongSupplier nanos) {
    this.detector = MasterDetector.of(masterHostPort);
    this.master = detector.only().orElse(detector.toString());
    this.uri = detector.only().map(m -> client.uri(m, "/api/v1/agent")).orElse(null);
    this.client = client;
    this.listener = listener;
    this.nanos = nanos;
    this.thread = new Thread(this::run, "agent-master-link");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** Posts a HEARTBEAT or UPDATE call without waiting; a 404 answer makes the link subscribe again. Any thread. */
  public void post(AgentCall call) {
    long session = currentSession;
    URI to = uri;
    if (to == null) {
      LOG.debug("{} call dropped: no leading master known yet", call.type());
      return;
    }
    client.post(to, call, Map.of()).whenComplete((reply, error) -> {
      if (error != null) {
        LOG.debug("{} call to {} failed: {}", call.type(), master, error.toString());
      } else if (reply.status() == 404) {
        signals.offer(new Forgotten(session, call.type() + " answered 404: " + reply.body()));
      } else if (!reply.ok()) {
        LOG.warn("{} call refused by master {}: {} {}", call.type(), master, reply.status(), reply.body());
      }
    });
  }

  /** Stops the link and waits (briefly) for its thread; the listener hears no more events. */
  @Override
  public void close() {
    closed = true;
    signals.offer(new Stop());
    stopped.countDown();
    thread.interrupt(); // a SUBSCRIBE may be waiting for the master's answer
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    detector.close();
  }

  private URI agentApi(String hostPort) {
    return client.uri(hostPort, "/api/v1/agent");
  }

  private void run() {
    long maxBackoffMs = detector.only().isEmpty() ? Math.min(1000, MAX_BACKOFF.toMillis()) : MAX_BACKOFF.toMillis();
    long backoffMs = INITIAL_BACKOFF.toMillis();
    while (!closed) {
      boolean subscribed = false;
      try {
        subscribed = session();
      } catch (InterruptedException e) {
        if (closed) {
          break;
        }
      } catch (IOException e) {
        LOG.info("master {} unreachable: {}; retrying in {} ms", master, e.toString(), backoffMs);
      } catch (RuntimeException e) {
        LOG.warn("subscription to master {} failed; retrying in {} ms", master, backoffMs, e);
      }
      if (subscribed) {
        backoffMs = INITIAL_BACKOFF.toMillis();
      }
      if (redirectedTo != null && redirectsInARow <= 3) {
        continue; // a standby named the leader: go there now
      }
      redirectsInARow = 0;
      try {
        if (stopped.await(backoffMs, TimeUnit.MILLISECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        break;
      }
      if (!subscribed) {
        backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
      }
    }
    LOG.debug("master link stopped");
  }

  /** One subscription, from SUBSCRIBE to its end; true if SUBSCRIBED arrived. */
  private boolean session() throws IOException, InterruptedException {
    long session = currentSession + 1;
    String target = redirectedTo;
    redirectedTo = null;
    if (target == null) {
      target = detector.only().isPresent() ? detector.only().get() : detector.detect()
          .orElseThrow(() -> new IOException("no leading master known from " + detector));
    }
    if (!target.equals(master)) {
      LOG.info("leading master: {} (was {})", target, master);
      master = target;
      uri = agentApi(target);
    }
    AgentCall call = listener.subscribeCall();
    currentSession = session;
    JsonClient.Subscription sub = client.subscribe(uri, call, Map.of(), AgentEvent.class,
        event -> {
          if (currentSession == session && !closed) {
            listener.onEvent(event);
          }
          signals.offer(new Heard(session, event));
        },
        cause -> signals.offer(new Ended(session, cause)));
    if (!sub.isOpen()) {
      if (sub.reply().status() == 307) {
        redirectedTo = MasterDetector.hostPortOf(sub.reply().headers().get("location")).orElse(null);
        redirectsInARow++;
        LOG.info("master {} is not leading; it names {}", master, redirectedTo);
        return false;
      }
      LOG.warn("master {} refused SUBSCRIBE: {} {}", master, sub.reply().status(), sub.reply().body());
      return false;
    }
    redirectsInARow = 0;
    try {
      return converse(session);
    } finally {
      currentSession = session + 1; // events still buffered in the old stream are dropped
      sub.close();
      listener.onDisconnected();
    }
  }

  /** Waits for signals, heartbeats and watches for silence until the session ends. */
  private boolean converse(long session) throws InterruptedException {
    boolean subscribed = false;
    AgentId agentId = null;
    long intervalNs = 0;
    long now = nanos.getAsLong();
    long lastHeard = now;
    long nextBeat = 0;
    while (!closed) {
      long silenceLimit = intervalNs == 0 ? FIRST_EVENT_TIMEOUT.toNanos() : MISSED_INTERVALS * intervalNs;
      long wakeAt = lastHeard + silenceLimit;
      if (intervalNs > 0 && nextBeat - wakeAt < 0) {
        wakeAt = nextBeat;
      }
      Signal signal = signals.poll(Math.max(0, wakeAt - now), TimeUnit.NANOSECONDS);
      now = nanos.getAsLong();
      if (signal instanceof Stop) {
        return subscribed;
      } else if (signal instanceof Heard h && h.session() == session) {
        lastHeard = now;
        AgentEvent event = h.event();
        if (event.type() == AgentEvent.Type.SUBSCRIBED && event.subscribed() != null) {
          subscribed = true;
          agentId = event.subscribed().agentId();
          intervalNs = intervalNanos(event.subscribed().heartbeatIntervalSeconds());
          nextBeat = now + intervalNs;
          LOG.info("subscribed to master {} as agent {} (heartbeat every {} ms)", master, agentId, intervalNs / 1_000_000);
        } else if (event.type() == AgentEvent.Type.ERROR) {
          LOG.warn("master {} sent ERROR: {}", master, event.error() == null ? "" : event.error().message());
        }
      } else if (signal instanceof Ended e && e.session() == session) {
        LOG.info("event stream from master {} ended{}; subscribing again", master,
            e.cause() == null ? "" : ": " + e.cause());
        return subscribed;
      } else if (signal instanceof Forgotten f && f.session() == session) {
        LOG.warn("master {} does not know this agent ({}); subscribing again", master, f.why());
        return subscribed;
      }
      if (agentId != null && now - nextBeat >= 0) {
        post(AgentCall.heartbeat(agentId, listener.heartbeatUsage()));
        nextBeat = now + intervalNs;
      }
      if (now - (lastHeard + silenceLimit) >= 0) {
        LOG.warn("no event from master {} for {} ms; subscribing again", master, silenceLimit / 1_000_000);
        return subscribed;
      }
    }
    return subscribed;
  }

  private static long intervalNanos(double seconds) {
    if (!(seconds > 0) || Double.isInfinite(seconds)) {
      LOG.warn("heartbeat_interval_seconds: {} (expected: > 0); using 15 s", seconds);
      return Duration.ofSeconds(15).toNanos();
    }
    return Math.max(1_000_000L, (long) (seconds * 1e9));
  }
}
