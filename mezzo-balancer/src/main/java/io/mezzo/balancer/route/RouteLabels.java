package io.mezzo.balancer.route;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an app's routing labels into {@link RouteSpec}s, one per service port. Mezzo's own labels
 * ({@code MEZZO_LB_PORT_n}, {@code MEZZO_LB_VHOST_n}, {@code MEZZO_LB_PATH_n}, {@code MEZZO_LB_MODE_n},
 * {@code MEZZO_LB_BALANCE_n}, {@code MEZZO_LB_STICKY_n}, {@code MEZZO_LB_SLOW_START_n}, {@code MEZZO_LB_HASH_KEY_n}) win over marathon-lb's
 * ({@code HAPROXY_GROUP}, {@code HAPROXY_n_PORT}, {@code HAPROXY_n_VHOST}, {@code HAPROXY_n_PATH},
 * {@code HAPROXY_n_MODE}, {@code HAPROXY_n_BALANCE}, {@code HAPROXY_n_STICKY}), so that existing app
 * JSON keeps its routing; HAProxy's {@code balance hdr(NAME)} is {@code consistent_hash} on that header.
 *
 * <p>A service port is exposed when it has a dedicated port (its label, or else a non-zero service
 * port from the app's {@code portDefinitions}, as marathon-lb binds service ports) or a vhost or path
 * on the shared HTTP port. Vhosts are comma-separated. Health checks, panic, retries and admission limits
 * come from the labels {@link PolicyLabels} reads. Every bad value is reported, naming the label,
 * the value and what was expected; the other ports are still read.
 *
 * <p>Pure and stateless.
 */
public final class RouteLabels {
  private static final Pattern HOST = Pattern.compile("^(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$");
  private static final Pattern HAPROXY_HDR = Pattern.compile("hdr\\([!#$%&'*+.^_`|~0-9a-z-]+\\)");
  private static final List<String> BALANCES = List.of("round_robin", "least_request", "ewma", "consistent_hash",
      "random", "roundrobin", "leastconn", "source");

  private RouteLabels() {}

  /** The routes of one app and the problems found in its labels. */
  public record Parsed(List<RouteSpec> routes, List<String> errors) {
    public Parsed {
      routes = List.copyOf(routes);
      errors = List.copyOf(errors);
    }
  }

  /**
   * Reads the labels of app {@code appId} whose port definitions have the service ports
   * {@code servicePorts} (0 for "none").
   */
  public static Parsed parse(String appId, Map<String, String> labels, List<Integer> servicePorts) {
    return parse(appId, labels, servicePorts, Map.of());
  }

  /**
   * As {@link #parse(String, Map, List)}, where {@code appHealthPaths} maps a port index to the path of the
   * app's own HTTP health check on that port: the LB's checks of that port use it unless a label says
   * otherwise (see {@link PolicyLabels}).
   */
  public static Parsed parse(String appId, Map<String, String> labels, List<Integer> servicePorts,
      Map<Integer, String> appHealthPaths) {
    List<RouteSpec> routes = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    String group = labels.get("HAPROXY_GROUP");
    for (int n = 0; n < servicePorts.size(); n++) {
      Label port = label(labels, n, "PORT");
      Integer dedicated = null;
      if (port != null) {
        dedicated = port(port, errors);
      } else if (servicePorts.get(n) != null && servicePorts.get(n) > 0) {
        dedicated = servicePorts.get(n);
      }
      Label vhost = label(labels, n, "VHOST");
      List<String> vhosts = new ArrayList<>();
      if (vhost != null) {
        for (String h : vhost.value.split(",")) {
          String host = h.trim().toLowerCase(Locale.ROOT);
          if (host.isEmpty()) {
            continue;
          }
          if (!HOST.matcher(host).matches()) {
            errors.add(vhost.name + ": '" + h.trim() + "' (expected: host names such as web.example.com or *.example.com)");
          } else {
            vhosts.add(host);
          }
        }
      }
      Label path = label(labels, n, "PATH");
      String prefix = "/";
      if (path != null) {
        if (!path.value.startsWith("/") || path.value.contains(" ")) {
          errors.add(path.name + ": '" + path.value + "' (expected: a path prefix starting with /)");
        } else {
          prefix = path.value;
        }
      }
      Label mode = label(labels, n, "MODE");
      RouteSpec.Mode m = RouteSpec.Mode.HTTP;
      if (mode != null) {
        switch (mode.value.trim().toLowerCase(Locale.ROOT)) {
          case "http" -> m = RouteSpec.Mode.HTTP;
          case "tcp" -> m = RouteSpec.Mode.TCP;
          default -> errors.add(mode.name + ": '" + mode.value + "' (expected: http or tcp)");
        }
      }
      HashKey hashKey = HashKey.SOURCE;
      Label balance = label(labels, n, "BALANCE");
      String algorithm = "round_robin";
      if (balance != null) {
        String b = balance.value.trim().toLowerCase(Locale.ROOT);
        Matcher hdr = HAPROXY_HDR.matcher(b);
        if (hdr.matches()) {
          algorithm = "consistent_hash"; // marathon-lb's balance hdr(NAME)
          hashKey = new HashKey(HashKey.Kind.HEADER, balance.value.trim().substring(4, balance.value.trim().length() - 1));
        } else if (BALANCES.contains(b)) {
          algorithm = b;
        } else {
          errors.add(balance.name + ": '" + balance.value + "' (expected: one of " + String.join(", ", BALANCES) + ")");
        }
      }
      Label hashLabel = label(labels, n, "HASH_KEY");
      if (hashLabel != null) {
        try {
          hashKey = HashKey.parse(hashLabel.value);
        } catch (IllegalArgumentException e) {
          errors.add(hashLabel.name + ": " + e.getMessage());
        }
      }
      Label sticky = label(labels, n, "STICKY");
      boolean isSticky = false;
      if (sticky != null) {
        switch (sticky.value.trim().toLowerCase(Locale.ROOT)) {
          case "true" -> isSticky = true;
          case "false" -> isSticky = false;
          default -> errors.add(sticky.name + ": '" + sticky.value + "' (expected: true or false)");
        }
      }
      if (m == RouteSpec.Mode.TCP && (vhost != null || path != null)) {
        errors.add("port " + n + " of " + appId + ": tcp mode with a vhost or path (expected: vhost and path only for http)");
        continue;
      }
      boolean shared = !vhosts.isEmpty() || path != null;
      if (dedicated == null && !shared) {
        continue; // not exposed
      }
      RoutePolicy policy = PolicyLabels.parse(labels, n, appHealthPaths.get(n), errors);
      routes.add(new RouteSpec(appId, n, m, dedicated, vhosts, prefix, algorithm, isSticky, group,
          slowStart(label(labels, n, "SLOW_START"), errors), policy, hashKey));
    }
    return new Parsed(routes, errors);
  }

  private record Label(String name, String value) {}

  private static Label label(Map<String, String> labels, int n, String what) {
    String mezzo = "MEZZO_LB_" + what + "_" + n;
    if (labels.containsKey(mezzo)) {
      return new Label(mezzo, labels.get(mezzo));
    }
    String haproxy = "HAPROXY_" + n + "_" + what;
    if (labels.containsKey(haproxy)) {
      return new Label(haproxy, labels.get(haproxy));
    }
    return null;
  }

  private static final Pattern DURATION = Pattern.compile("^(\\d{1,9})(ms|s|m)$");

  /** A slow start window such as {@code 30s}, {@code 500ms} or {@code 2m}; zero when absent or bad. */
  private static Duration slowStart(Label l, List<String> errors) {
    if (l == null) {
      return Duration.ZERO;
    }
    var m = DURATION.matcher(l.value.trim().toLowerCase(Locale.ROOT));
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        default -> Duration.ofMinutes(n);
      };
    }
    errors.add(l.name + ": '" + l.value + "' (expected: a duration such as 30s, 500ms or 2m; 0s for none)");
    return Duration.ZERO;
  }

  private static Integer port(Label l, List<String> errors) {
    try {
      int p = Integer.parseInt(l.value.trim());
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    errors.add(l.name + ": '" + l.value + "' (expected: a port from 1 to 65535)");
    return null;
  }
}
