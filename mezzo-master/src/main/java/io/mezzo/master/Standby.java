package io.mezzo.master;

import io.mezzo.core.auth.Access;
import io.mezzo.core.auth.Security;
import io.mezzo.core.http.HttpRequest;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import io.mezzo.master.ha.LeaderElection;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * What a master serves while it does not lead, and the leader fields of {@code /master/state}.
 *
 * <p>A standby's HTTP server answers every request with {@code 307} and a protocol-relative
 * {@code Location: //LEADER/path?query} (Mesos's master detection; {@code /redirect} goes to the
 * leader's root), or {@code 503 no leading master elected yet} while ZooKeeper names no leader.
 * {@code /health} and {@code /version} answer themselves, and {@code /master/state} says who leads
 * ({@code leader}, {@code leader_info}) and carries no {@code elected_time}. The leader is read from
 * ZooKeeper for each request, on the election's thread; handlers never block. The redirects and
 * {@code /health} are open to anyone (they tell only where the leader is); {@code /version} and
 * {@code /master/state} need a viewer, as on the leader.
 */
final class Standby {
  private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD");

  private Standby() {}

  /** Starts the server of master {@code masterId} on the configured address, with the standby's routes. */
  static HttpServer server(MasterConfig config, String masterId, Supplier<LeaderElection> election, double startTime,
      Security security, io.mezzo.core.metrics.ProcessMetrics metrics) {
    var b = HttpServer.builder();
    for (String method : METHODS) {
      b.prefixRoute(method, "/", Access.PUBLIC, req -> redirect(election, req));
    }
    metrics.route(b); // its own JVM's, and mezzo_master_leading 0: never the leader's figures
    for (String path : new String[] {"/health", "/master/health"}) {
      b.route("GET", path, Access.PUBLIC, req -> CompletableFuture.completedFuture(HttpResponse.text(200, "ok (standby)")));
    }
    b.route("GET", "/version", Access.VIEWER, req -> CompletableFuture.completedFuture(
        HttpResponse.json(200, Map.of("version", StateView.VERSION, "mezzo_version", Master.VERSION))));
    for (String path : new String[] {"/master/state", "/state", "/master/state.json", "/state.json"}) {
      b.route("GET", path, Access.VIEWER, req -> leader(election).thenApply(leader -> {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", StateView.VERSION);
        out.put("mezzo_version", Master.VERSION);
        out.put("id", masterId);
        out.put("pid", "master@" + config.hostname() + ":" + portOf(election));
        out.put("hostname", config.hostname());
        out.put("start_time", startTime);
        leader.ifPresent(l -> {
          out.put("leader", "master@" + l);
          out.put("leader_info", leaderInfo(l));
        });
        out.put("activated_slaves", 0);
        out.put("deactivated_slaves", 0);
        out.put("unreachable_slaves", 0);
        out.put("slaves", List.of());
        out.put("frameworks", List.of());
        out.put("completed_frameworks", List.of());
        return HttpResponse.json(200, out);
      }));
    }
    // The leader's routes replace these on this same server once elected (Master#lead), so it is
    // built with the leader's limits.
    return b.bind(config.bindHost(), config.port()).security(security).maxRequestBytes(Master.MAX_REQUEST_BYTES)
        .name("master-http").start();
  }

  /** The leading master's {@code /master/state}: its own leader fields and the time it was elected. */
  static Map<String, Object> asLeader(Map<String, Object> state, String pid, double electedTime) {
    state.put("leader", pid);
    state.put("leader_info", leaderInfo(pid.substring(pid.indexOf('@') + 1)));
    state.put("elected_time", electedTime);
    return state;
  }

  /** Mesos's MasterInfo fields that are known from a {@code HOST:PORT}. */
  private static Map<String, Object> leaderInfo(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    String host = hostPort.substring(0, colon);
    int port = Integer.parseInt(hostPort.substring(colon + 1));
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("pid", "master@" + hostPort);
    info.put("hostname", host);
    info.put("port", port);
    info.put("address", Map.of("hostname", host, "port", port));
    return info;
  }

  private static String portOf(Supplier<LeaderElection> election) {
    LeaderElection e = election.get();
    return e == null ? "?" : e.id().substring(e.id().lastIndexOf(':') + 1);
  }

  private static CompletableFuture<Optional<String>> leader(Supplier<LeaderElection> election) {
    LeaderElection e = election.get();
    return e == null ? CompletableFuture.completedFuture(Optional.empty()) : e.leader();
  }

  private static CompletionStage<HttpResponse> redirect(Supplier<LeaderElection> election, HttpRequest req) {
    return leader(election).thenApply(leader -> {
      if (leader.isEmpty() || (election.get() != null && leader.get().equals(election.get().id()))) {
        // none, or this master was just elected and is taking over
        return HttpResponse.text(503, "no leading master elected yet");
      }
      boolean toRoot = req.path().equals("/redirect") || req.path().equals("/master/redirect");
      String path = toRoot ? "" : req.path() + query(req.query());
      return new HttpResponse(307, HttpResponse.TEXT, new byte[0], Map.of("Location", "//" + leader.get() + path), null);
    });
  }

  private static String query(Map<String, List<String>> query) {
    StringBuilder q = new StringBuilder();
    query.forEach((name, values) -> {
      for (String v : values) {
        q.append(q.length() == 0 ? '?' : '&').append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
            .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
      }
    });
    return q.toString();
  }
}
