package io.mezzo.services.scheduler;

import io.mezzo.services.app.AppDefinition;
import io.mezzo.services.app.PortDefinition;
import io.mezzo.services.app.ReadinessCheck;
import io.mezzo.services.instance.Instance;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Marathon's readiness checks: during a deployment, a new instance counts as ready once an HTTP GET of
 * the check's path on the port named {@code portName} answers with one of
 * {@code httpStatusCodesForReady}; it is probed every {@code intervalSeconds} until then. Ready is
 * soft state (after a restart instances are probed again) and, as in Marathon, sticky: once ready, an
 * instance is not probed any more (its health check takes over).
 *
 * <p>Owned by the scheduler's loop: {@link #isReady} and {@link #probe} run there; answers come back
 * through {@code loop} (the scheduler's executor), never on the HTTP client's threads.
 */
final class ReadinessProber {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Executor loop;
  private final Set<String> ready = new HashSet<>();
  private final Set<String> inFlight = new HashSet<>();
  private final Map<String, Instant> lastProbe = new HashMap<>();
  private final Map<String, String> lastResult = new HashMap<>();

  ReadinessProber(Executor loop) {
    this.loop = loop;
  }

  /** True when {@code app} has no readiness check or {@code i} has passed them all. */
  boolean isReady(AppDefinition app, Instance i) {
    return app.readinessChecks().isEmpty() || ready.contains(i.instanceId());
  }

  /** The last probe's outcome for the API ({@code readinessCheckResults}), or null. */
  String lastResult(String instanceId) {
    return lastResult.get(instanceId);
  }

  /** Starts a probe of {@code i} when one is due. */
  void probe(AppDefinition app, Instance i, Instant now) {
    if (app.readinessChecks().isEmpty() || ready.contains(i.instanceId()) || inFlight.contains(i.instanceId())) {
      return;
    }
    ReadinessCheck check = app.readinessChecks().get(0);
    Instant last = lastProbe.get(i.instanceId());
    if (last != null && now.isBefore(last.plusSeconds(check.intervalSeconds()))) {
      return;
    }
    int port = portOf(app, check, i);
    if (port <= 0 || i.host() == null) {
      return;
    }
    lastProbe.put(i.instanceId(), now);
    inFlight.add(i.instanceId());
    String scheme = check.protocol().equalsIgnoreCase("HTTPS") ? "https" : "http";
    HttpRequest req = HttpRequest.newBuilder(URI.create(scheme + "://" + i.host() + ":" + port + check.path()))
        .timeout(Duration.ofSeconds(check.timeoutSeconds())).GET().build();
    http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenCompleteAsync((r, err) -> {
      inFlight.remove(i.instanceId());
      if (err != null) {
        lastResult.put(i.instanceId(), "not ready: " + err.getClass().getSimpleName());
      } else if (check.httpStatusCodesForReady().contains(r.statusCode())) {
        ready.add(i.instanceId());
        lastResult.put(i.instanceId(), "ready: HTTP " + r.statusCode());
      } else {
        lastResult.put(i.instanceId(), "not ready: HTTP " + r.statusCode());
      }
    }, loop);
  }

  /** Forgets {@code instanceId} (it ended). */
  void forget(String instanceId) {
    ready.remove(instanceId);
    inFlight.remove(instanceId);
    lastProbe.remove(instanceId);
    lastResult.remove(instanceId);
  }

  private static int portOf(AppDefinition app, ReadinessCheck check, Instance i) {
    for (int k = 0; k < app.portDefinitions().size() && k < i.ports().size(); k++) {
      PortDefinition p = app.portDefinitions().get(k);
      if (check.portName().equals(p.name())) {
        return i.ports().get(k);
      }
    }
    return -1;
  }
}
