package io.mezzo.cli;

import io.mezzo.balancer.Balancer;
import io.mezzo.balancer.proxy.LoadBalancer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mezzo lb}: a load balancer that follows the services scheduler's apps (through its
 * {@code /v2} API, on the master unless {@code --services} says otherwise) and proxies to their
 * instances by the apps' {@code MEZZO_LB_*} / {@code HAPROXY_*} labels.
 */
@Command(name = "lb", mixinStandardHelpOptions = true, description = "Run a load balancer for the apps' instances.")
final class LbCommand implements Callable<Integer> {
  @picocli.CommandLine.Mixin
  SecurityOptions security;

  @Option(names = "--master", required = true, description = "The master's HOST:PORT (its /v2 API), every master's HOST:PORT,HOST:PORT,..."
      + " or zk://HOST:PORT,.../PATH (the LB follows the leader).")
  String master;

  @Option(names = "--services", description = "The services API's HOST:PORT when it runs apart from the master.")
  String services;

  @Option(names = "--ip", defaultValue = "0.0.0.0", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String ip;

  @Option(names = "--http-port", defaultValue = "10080",
      description = "The shared HTTP port of vhost and path routes (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--admin-port", defaultValue = "9090",
      description = "Port of /metrics (Prometheus), /stats (JSON) and /health (default: ${DEFAULT-VALUE}).")
  int adminPort;

  @Option(names = "--group", description = "Expose only apps whose HAPROXY_GROUP is this (and those without one).")
  String group;

  @Option(names = "--access-log", paramLabel = "PATH|-",
      description = "Write one line per request to this file (appended), or to standard output with -. Off by default.")
  String accessLog;

  @Override
  public Integer call() throws Exception {
    Balancer b = Balancer.start(services != null ? services : master, ip, httpPort, group, adminPort, accessLog,
        security.security(), security.caller());
    System.out.println("mezzo lb following " + (services != null ? services : master) + "; vhost routes on "
        + ip + ":" + httpPort + " (" + (LoadBalancer.epoll() ? "epoll" : "nio") + "); metrics on :" + b.adminPort());
    return Daemon.runUntilStopped(b);
  }
}
