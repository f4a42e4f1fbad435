package io.mezzo.balancer.route;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Every route one load balancer serves, indexed for the data plane: which ports to listen on (and
 * in which mode), and which route a request or connection on a port goes to. Immutable; rebuilt
 * whole when apps change and swapped in atomically, so a lookup never sees half an update.
 *
 * <p>On the shared HTTP port a request goes to the route whose vhost equals its {@code Host} (port
 * and case ignored), else whose wildcard vhost ({@code *.example.com}) matches, else a route without
 * vhosts; among those, the longest matching path prefix wins. A dedicated port serves its one route.
 * Conflicts (two routes on one dedicated port, the same vhost and path twice, a TCP route on the shared
 * port) are reported, and the route of the lexically first app is kept.
 */
public final class RouteTable {
  private final Map<Integer, RouteSpec> dedicated;
  private final int sharedPort;
  private final Map<String, List<RouteSpec>> byHost;
  private final Map<String, List<RouteSpec>> byWildcard;
  private final List<RouteSpec> anyHost;
  private final List<RouteSpec> all;

  private RouteTable(Map<Integer, RouteSpec> dedicated, int sharedPort, Map<String, List<RouteSpec>> byHost,
      Map<String, List<RouteSpec>> byWildcard, List<RouteSpec> anyHost, List<RouteSpec> all) {
    this.dedicated = dedicated;
    this.sharedPort = sharedPort;
    this.byHost = byHost;
    this.byWildcard = byWildcard;
    this.anyHost = anyHost;
    this.all = all;
  }

  /** A table and the conflicts met while building it. */
  public record Built(RouteTable table, List<String> conflicts) {
    public Built {
      conflicts = List.copyOf(conflicts);
    }
  }

  /**
   * Builds the table of the routes in {@code group} (routes without a group are in every group; a
   * null {@code group} takes every route) with {@code sharedPort} for vhost and path routes.
   */
  public static Built build(List<RouteSpec> routes, int sharedPort, String group) {
    List<String> conflicts = new ArrayList<>();
    List<RouteSpec> sorted = new ArrayList<>(routes);
    sorted.sort(Comparator.comparing(RouteSpec::appId).thenComparingInt(RouteSpec::portIndex));
    Map<Integer, RouteSpec> dedicated = new TreeMap<>();
    Map<String, RouteSpec> sharedKeys = new HashMap<>();
    Map<String, List<RouteSpec>> byHost = new HashMap<>();
    Map<String, List<RouteSpec>> byWildcard = new HashMap<>();
    List<RouteSpec> anyHost = new ArrayList<>();
    List<RouteSpec> kept = new ArrayList<>();
    for (RouteSpec r : sorted) {
      if (group != null && r.group() != null && !r.group().equals(group)) {
        continue;
      }
      boolean keep = false;
      if (r.port() != null) {
        if (r.port() == sharedPort) {
          conflicts.add(r.key() + ": port " + r.port() + " is the shared HTTP port (expected: another port, or a vhost)");
        } else if (dedicated.containsKey(r.port())) {
          conflicts.add(r.key() + ": port " + r.port() + " is taken by " + dedicated.get(r.port()).key());
        } else {
          dedicated.put(r.port(), r);
          keep = true;
        }
      }
      boolean shared = !r.vhosts().isEmpty() || !r.pathPrefix().equals("/");
      if (shared && r.mode() == RouteSpec.Mode.HTTP) {
        List<String> hosts = r.vhosts().isEmpty() ? List.of("") : r.vhosts();
        boolean added = false;
        for (String h : hosts) {
          String key = h + " " + r.pathPrefix();
          RouteSpec other = sharedKeys.putIfAbsent(key, r);
          if (other != null) {
            conflicts.add(r.key() + ": vhost '" + h + "' path " + r.pathPrefix() + " is taken by " + other.key());
            continue;
          }
          added = true;
          if (h.isEmpty()) {
            anyHost.add(r);
          } else if (h.startsWith("*.")) {
            byWildcard.computeIfAbsent(h.substring(1), k -> new ArrayList<>()).add(r);
          } else {
            byHost.computeIfAbsent(h, k -> new ArrayList<>()).add(r);
          }
        }
        keep |= added;
      }
      if (keep) {
        kept.add(r);
      }
    }
    Comparator<RouteSpec> longestFirst = Comparator.comparingInt((RouteSpec r) -> r.pathPrefix().length()).reversed();
    byHost.values().forEach(l -> l.sort(longestFirst));
    byWildcard.values().forEach(l -> l.sort(longestFirst));
    anyHost.sort(longestFirst);
    return new Built(new RouteTable(java.util.Collections.unmodifiableMap(dedicated), sharedPort, freeze(byHost), freeze(byWildcard),
        List.copyOf(anyHost), List.copyOf(kept)), conflicts);
  }

  private static Map<String, List<RouteSpec>> freeze(Map<String, List<RouteSpec>> m) {
    Map<String, List<RouteSpec>> out = new HashMap<>();
    m.forEach((k, v) -> out.put(k, List.copyOf(v)));
    return Map.copyOf(out);
  }

  /** The ports to listen on and their modes (the shared port is HTTP when any route uses it). */
  public Map<Integer, RouteSpec.Mode> listeners() {
    Map<Integer, RouteSpec.Mode> out = new LinkedHashMap<>();
    if (!byHost.isEmpty() || !byWildcard.isEmpty() || !anyHost.isEmpty()) {
      out.put(sharedPort, RouteSpec.Mode.HTTP);
    }
    dedicated.forEach((port, r) -> out.put(port, r.mode()));
    return out;
  }

  /** Every route kept. */
  public List<RouteSpec> routes() {
    return all;
  }

  /** The route an HTTP request on {@code port} for {@code host} and {@code path} goes to, or null. */
  public RouteSpec http(int port, String host, String path) {
    RouteSpec d = dedicated.get(port);
    if (d != null) {
      return d.mode() == RouteSpec.Mode.HTTP ? d : null;
    }
    if (port != sharedPort) {
      return null;
    }
    String h = host == null ? "" : stripPort(host).toLowerCase(Locale.ROOT);
    String p = path == null || path.isEmpty() ? "/" : path;
    RouteSpec r = longest(byHost.get(h), p);
    if (r == null) {
      int dot = h.indexOf('.');
      if (dot >= 0) {
        r = longest(byWildcard.get(h.substring(dot)), p);
      }
    }
    return r != null ? r : longest(anyHost, p);
  }

  /** The route a TCP connection on {@code port} goes to, or null. */
  public RouteSpec tcp(int port) {
    RouteSpec d = dedicated.get(port);
    return d != null && d.mode() == RouteSpec.Mode.TCP ? d : null;
  }

  private static RouteSpec longest(List<RouteSpec> candidates, String path) {
    if (candidates == null) {
      return null;
    }
    for (RouteSpec r : candidates) {
      if (matchesPrefix(path, r.pathPrefix())) {
        return r;
      }
    }
    return null;
  }

  /** {@code /api} matches {@code /api}, {@code /api/x} and {@code /api?q}, not {@code /apix}. */
  static boolean matchesPrefix(String path, String prefix) {
    if (prefix.equals("/")) {
      return true;
    }
    if (!path.startsWith(prefix)) {
      return false;
    }
    if (path.length() == prefix.length() || prefix.endsWith("/")) {
      return true;
    }
    char next = path.charAt(prefix.length());
    return next == '/' || next == '?';
  }

  private static String stripPort(String host) {
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end < 0 ? host : host.substring(0, end + 1);
    }
    int colon = host.lastIndexOf(':');
    return colon < 0 ? host : host.substring(0, colon);
  }

  @Override
  public String toString() {
    return "RouteTable" + Objects.toString(listeners());
  }
}
