package io.mezzo.balancer.discovery;

import io.mezzo.balancer.route.RouteLabels;
import io.mezzo.balancer.route.RouteSpec;
import io.mezzo.balancer.route.RouteTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the load balancer knows at one moment: the route table and, per route, the instances that may
 * get new traffic and those draining (kept so that their in-flight requests can finish and their
 * idleness be reported). Immutable; built from the apps' labels and instances by {@link #of}.
 */
public record Discovered(RouteTable table, Map<String, List<BackendInstance>> serving,
    Map<String, List<BackendInstance>> draining, List<String> problems) {

  /**
   * An app as discovery reads it from the services API; {@code httpHealthPaths} maps a port index to the
   * path of the app's own HTTP health check on that port (the LB's checks default to it).
   */
  public record App(String id, Map<String, String> labels, List<Integer> servicePorts, List<BackendInstance> instances,
      Map<Integer, String> httpHealthPaths) {
    public App {
      labels = Map.copyOf(labels);
      servicePorts = List.copyOf(servicePorts);
      instances = List.copyOf(instances);
      httpHealthPaths = Map.copyOf(httpHealthPaths);
    }

    /** An app without an HTTP health check. */
    public App(String id, Map<String, String> labels, List<Integer> servicePorts, List<BackendInstance> instances) {
      this(id, labels, servicePorts, instances, Map.of());
    }
  }

  public static final Discovered EMPTY = of(List.of(), 0, null);

  /** Builds the routes of {@code apps} (in {@code group}) with {@code sharedPort} for vhosts. */
  public static Discovered of(List<App> apps, int sharedPort, String group) {
    List<RouteSpec> specs = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Map<String, App> byId = new LinkedHashMap<>();
    for (App a : apps) {
      byId.put(a.id(), a);
      RouteLabels.Parsed p = RouteLabels.parse(a.id(), a.labels(), a.servicePorts(), a.httpHealthPaths());
      specs.addAll(p.routes());
      p.errors().forEach(e -> problems.add(a.id() + ": " + e));
    }
    RouteTable.Built built = RouteTable.build(specs, sharedPort, group);
    problems.addAll(built.conflicts());
    Map<String, List<BackendInstance>> serving = new LinkedHashMap<>();
    Map<String, List<BackendInstance>> draining = new LinkedHashMap<>();
    for (RouteSpec r : built.table().routes()) {
      List<BackendInstance> on = new ArrayList<>();
      List<BackendInstance> leaving = new ArrayList<>();
      for (BackendInstance i : byId.get(r.appId()).instances()) {
        if (i.ports().size() <= r.portIndex()) {
          continue;
        }
        if (i.serving()) {
          on.add(i);
        } else if (i.draining()) {
          leaving.add(i);
        }
      }
      serving.put(r.key(), List.copyOf(on));
      draining.put(r.key(), List.copyOf(leaving));
    }
    return new Discovered(built.table(), Map.copyOf(serving), Map.copyOf(draining), List.copyOf(problems));
  }
}
