package io.mezzo.balancer.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mezzo.core.ha.MasterDetector;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the services scheduler's apps and instances for the load balancer: it attaches to the
 * {@code /v2/events} stream first, then reads one snapshot ({@code /v2/apps?embed=apps.tasks}), so no
 * change between the two is missed; after that it reacts to events only (no polling). A change of an
 * instance is applied at once from the event (an instance reported Draining, Killing or gone stops
 * getting traffic before anything else happens), then the app is read again to pick up what the event
 * does not carry (labels, health). When the stream breaks it reconnects with backoff and starts again
 * from a snapshot; meanwhile the last {@link Discovered} stays in force, so the proxy keeps serving
 * with what it knows.
 *
 * <p>Threading: one thread ({@code lb-discovery}) reads the stream and owns the app map; each new
 * {@link Discovered} is published to the listener from it and kept in {@link #current()}.
 */
public final class ServicesFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServicesFeed.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final List<String> EVENTS = List.of("instance_changed_event", "health_status_changed_event",
      "status_update_event", "api_post_event", "deployment_info", "deployment_success", "deployment_failed");

  /** The services API's base URL; follows the leading master (set by the discovery thread); null until known. */
  private volatile String services;
  private final MasterDetector detector;
  private final int sharedPort;
  private final String group;
  private final Consumer<Discovered> listener;
  private final io.mezzo.core.auth.Caller caller;
  // A standby master answers 307 to the leader: followed for GETs and the POST of reportDrained.
  private final HttpClient http;
  private final AtomicReference<Discovered> current = new AtomicReference<>(Discovered.EMPTY);
  private final Map<String, Discovered.App> apps = new LinkedHashMap<>();
  private final Thread thread;
  private volatile boolean closed;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile Stream<String> stream;

  /**
   * A feed from the services API at {@code servicesHostPort} (the master's address when the services
   * scheduler runs in it) for an LB in {@code group} (null: all) whose shared HTTP port is
   * {@code sharedPort}; {@code listener} gets every new state. Given several masters
   * ({@code HOST:PORT,HOST:PORT,...}) or {@code zk://...} (see {@link MasterDetector#of}), each
   * connection goes to the one that leads.
   */
  public ServicesFeed(String servicesHostPort, int sharedPort, String group, Consumer<Discovered> listener) {
    this(servicesHostPort, io.mezzo.core.auth.Caller.NONE, sharedPort, group, listener);
  }

  /**
   * As {@link #ServicesFeed(String, int, String, Consumer)}, calling as {@code caller} (an operator
   * principal's secret: the feed reads apps and events and reports drained instances; TLS if any).
   */
  public ServicesFeed(String servicesHostPort, io.mezzo.core.auth.Caller caller, int sharedPort, String group,
      Consumer<Discovered> listener) {
    this.caller = caller;
    this.http = caller.configure(HttpClient.newBuilder()).connectTimeout(Duration.ofSeconds(3))
        .followRedirects(HttpClient.Redirect.NORMAL).build();
    this.detector = MasterDetector.of(servicesHostPort);
    this.services = detector.only().map(m -> caller.scheme() + "://" + m).orElse(null);
    this.sharedPort = sharedPort;
    this.group = group;
    this.listener = listener;
    this.thread = new Thread(this::run, "lb-discovery");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** The latest state. */
  public Discovered current() {
    return current.get();
  }

  /** Tells the services scheduler that draining instance {@code instanceId} has no request in flight. */
  public CompletableFuture<Integer> reportDrained(String instanceId) {
    String base = services;
    if (base == null) {
      return CompletableFuture.failedFuture(new IOException("no leading master known yet from " + detector));
    }
    HttpRequest req = authorized(URI.create(base + "/v2/tasks/"
            + URLEncoder.encode(instanceId, StandardCharsets.UTF_8) + "/drained"))
        .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
    return http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode);
  }

  private void run() {
    long backoffMs = 250;
    while (!closed) {
      try {
        follow();
        backoffMs = 250;
      } catch (IOException | RuntimeException e) {
        if (closed) {
          return;
        }
        LOG.info("lb: services API at {} unavailable ({}); serving what is known, retrying in {} ms",
            services == null ? detector : services,
            e.toString(), backoffMs);
      } catch (InterruptedException e) {
        return;
      }
      if (closed) {
        return;
      }
      try {
        if (stopped.await(backoffMs, TimeUnit.MILLISECONDS)) {
          return; // closed while waiting to reconnect
        }
      } catch (InterruptedException e) {
        return;
      }
      backoffMs = Math.min(backoffMs * 2, 5000);
    }
  }

  /** One connection: attach to the stream, take a snapshot, then apply events until the stream ends. */
  private void follow() throws IOException, InterruptedException {
    if (detector.only().isEmpty()) {
      services = caller.scheme() + "://" + detector.detect()
          .orElseThrow(() -> new IOException("no leading master known from " + detector));
    }
    StringBuilder query = new StringBuilder();
    for (String e : EVENTS) {
      query.append(query.length() == 0 ? "?" : "&").append("event_type=").append(e);
    }
    HttpRequest req = authorized(URI.create(services + "/v2/events" + query))
        .header("Accept", "text/event-stream").GET().build();
    HttpResponse<Stream<String>> res = http.send(req, HttpResponse.BodyHandlers.ofLines());
    if (res.statusCode() != 200) {
      res.body().close();
      throw new IOException("GET /v2/events: HTTP " + res.statusCode());
    }
    stream = res.body();
    Iterator<String> lines = res.body().iterator();
    snapshot();
    String event = null;
    while (!closed && lines.hasNext()) {
      String line = lines.next();
      if (line.startsWith("event:")) {
        event = line.substring(6).trim();
      } else if (line.startsWith("data:") && event != null) {
        onEvent(event, MAPPER.readTree(line.substring(5).trim()));
        event = null;
      }
    }
    if (!closed) {
      throw new IOException("event stream ended");
    }
  }

  private void snapshot() throws IOException, InterruptedException {
    JsonNode body = get("/v2/apps?embed=apps.tasks");
    if (body == null) {
      throw new IOException("GET /v2/apps: no answer");
    }
    apps.clear();
    for (JsonNode a : body.path("apps")) {
      Discovered.App app = app(a);
      apps.put(app.id(), app);
    }
    publish();
  }

  private void onEvent(String type, JsonNode e) throws IOException, InterruptedException {
    Set<String> dirty = new LinkedHashSet<>();
    switch (type) {
      case "instance_changed_event" -> {
        String appId = e.path("runSpecId").asText(null);
        String condition = e.path("condition").asText("");
        Discovered.App app = appId == null ? null : apps.get(appId);
        if (app != null && !condition.equals("Running")) {
          // Leaving or not yet running: no new traffic, from now.
          List<BackendInstance> updated = new ArrayList<>();
          for (BackendInstance i : app.instances()) {
            if (i.instanceId().equals(e.path("instanceId").asText())) {
              boolean draining = condition.equals("Draining") || condition.equals("Killing") && i.serving();
              updated.add(new BackendInstance(i.instanceId(), i.appId(), i.host(), i.ports(), false,
                  draining || i.draining()));
            } else {
              updated.add(i);
            }
          }
          apps.put(appId, new Discovered.App(app.id(), app.labels(), app.servicePorts(), updated,
              app.httpHealthPaths()));
          publish();
        }
        if (appId != null) {
          dirty.add(appId);
        }
      }
      case "health_status_changed_event", "status_update_event" -> dirty.add(e.path("appId").asText());
      case "api_post_event" -> dirty.add(e.path("appDefinition").path("id").asText());
      default -> {
        for (JsonNode a : e.path("plan").path("affectedApps")) {
          dirty.add(a.asText());
        }
      }
    }
    for (String appId : dirty) {
      if (appId == null || appId.isEmpty()) {
        continue;
      }
      JsonNode body = get("/v2/apps" + appId + "?embed=app.tasks");
      if (body == null) {
        apps.remove(appId);
      } else {
        apps.put(appId, app(body.path("app")));
      }
    }
    if (!dirty.isEmpty()) {
      publish();
    }
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(authorized(URI.create(services + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 404) {
      return null;
    }
    if (r.statusCode() != 200) {
      throw new IOException("GET " + path + ": HTTP " + r.statusCode());
    }
    return MAPPER.readTree(r.body());
  }

  private HttpRequest.Builder authorized(URI uri) {
    return caller.authorize(HttpRequest.newBuilder(uri));
  }

  private static Discovered.App app(JsonNode a) {
    Map<String, String> labels = new LinkedHashMap<>();
    a.path("labels").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
    List<Integer> servicePorts = new ArrayList<>();
    for (JsonNode p : a.path("portDefinitions")) {
      servicePorts.add(p.path("port").asInt(0));
    }
    boolean checked = a.path("healthChecks").size() > 0;
    List<BackendInstance> instances = new ArrayList<>();
    for (JsonNode t : a.path("tasks")) {
      String state = t.path("mezzoState").asText(t.path("state").asText());
      boolean running = state.equals("RUNNING") || state.equals("TASK_RUNNING");
      boolean healthy = !checked || t.path("healthCheckResults").path(0).path("alive").asBoolean(false);
      List<Integer> ports = new ArrayList<>();
      t.path("ports").forEach(p -> ports.add(p.asInt()));
      instances.add(new BackendInstance(t.path("id").asText(), a.path("id").asText(), t.path("host").asText(), ports,
          running && healthy, state.equals("DRAINING")));
    }
    return new Discovered.App(a.path("id").asText(), labels, servicePorts, instances, httpHealthPaths(a));
  }

  /** The paths of the app's HTTP health checks by port index (HTTPS ones are left out: the LB checks in clear). */
  private static Map<Integer, String> httpHealthPaths(JsonNode a) {
    Map<Integer, String> paths = new LinkedHashMap<>();
    for (JsonNode h : a.path("healthChecks")) {
      String protocol = h.path("protocol").asText("");
      if (!(protocol.equals("HTTP") || protocol.equals("MESOS_HTTP")) || h.hasNonNull("port")) {
        continue;
      }
      paths.putIfAbsent(h.path("portIndex").asInt(0), h.path("path").asText("/"));
    }
    return paths;
  }

  private void publish() {
    Discovered d = Discovered.of(List.copyOf(apps.values()), sharedPort, group);
    current.set(d);
    listener.accept(d);
  }

  @Override
  public void close() {
    closed = true;
    stopped.countDown();
    Stream<String> s = stream;
    if (s != null) {
      s.close();
    }
    thread.interrupt();
    detector.close();
  }
}
