package io.mezzo.balancer.route;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How one service port of one app is exposed by the load balancer, as its labels ask. Immutable.
 *
 * @param appId the app's id ({@code /prod/web})
 * @param portIndex which of the app's ports (instances' {@code ports[portIndex]}) backends listen on
 * @param mode HTTP (L7) or TCP (L4)
 * @param port the listener port dedicated to this route, or null when it is only reachable by host and
 *     path on the shared HTTP port
 * @param vhosts host names routed on the shared HTTP port (exact, or {@code *.example.com}); empty for none
 * @param pathPrefix the path prefix routed on the shared HTTP port ({@code /} matches everything)
 * @param balance the balancing algorithm's name as given ({@code round_robin}, {@code leastconn}, ...)
 * @param sticky whether clients stick to a backend (a cookie for HTTP, the client address for TCP)
 * @param group the load balancer group that exposes it ({@code HAPROXY_GROUP}), or null for every LB
 * @param slowStart the window over which a backend that joins ramps from 10% to its full share of
 *     requests ({@code MEZZO_LB_SLOW_START_n}); zero for none
 * @param policy health checks, panic threshold, retries and admission limits ({@link RoutePolicy#defaults()}
 *     when null)
 * @param hashKey what {@code consistent_hash} hashes ({@code MEZZO_LB_HASH_KEY_n}; the client address when null)
 */
public record RouteSpec(
    String appId,
    int portIndex,
    Mode mode,
    Integer port,
    List<String> vhosts,
    String pathPrefix,
    String balance,
    boolean sticky,
    String group,
    Duration slowStart,
    RoutePolicy policy,
    HashKey hashKey) {

  /** Listener modes. */
  public enum Mode {
    HTTP,
    TCP
  }

  public RouteSpec {
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(mode, "mode");
    vhosts = List.copyOf(vhosts);
    Objects.requireNonNull(pathPrefix, "pathPrefix");
    Objects.requireNonNull(balance, "balance");
    Objects.requireNonNull(slowStart, "slowStart");
    policy = policy == null ? RoutePolicy.defaults() : policy;
    hashKey = hashKey == null || mode == Mode.TCP ? HashKey.SOURCE : hashKey;
  }

  /** A route without slow start, with the default {@link RoutePolicy}. */
  public RouteSpec(String appId, int portIndex, Mode mode, Integer port, List<String> vhosts, String pathPrefix,
      String balance, boolean sticky, String group) {
    this(appId, portIndex, mode, port, vhosts, pathPrefix, balance, sticky, group, Duration.ZERO, RoutePolicy.defaults(),
        HashKey.SOURCE);
  }

  /** A short name for logs and metrics: {@code /prod/web:0}. */
  public String key() {
    return appId + ":" + portIndex;
  }
}
