package io.mezzo.cli;

import io.mezzo.core.auth.Access;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mezzo services}: the services scheduler in a process of its own, subscribed to a master's
 * scheduler API and serving the Marathon {@code /v2} API on its own port (the master then runs
 * without it: {@code mezzo master --no-services}).
 */
@Command(name = "services", mixinStandardHelpOptions = true,
    description = "Run the services scheduler (Marathon /v2 API) apart from the master.")
final class ServicesCommand implements Callable<Integer> {
  @Option(names = "--master", required = true, description = "The master's HOST:PORT, every master's HOST:PORT,HOST:PORT,..."
      + " or zk://HOST:PORT,.../PATH.")
  String master;

  @Option(names = "--zk", required = true, description = "ZooKeeper connect string host:port,... holding the services' state.")
  String zk;

  @Option(names = "--port", defaultValue = "8080", description = "HTTP port of the /v2 API (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--ip", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String ip;

  @picocli.CommandLine.Mixin
  SecurityOptions security;

  @Option(names = "--principal",
      description = "framework_info.principal to subscribe as: the framework principal whose --secret-file is given.")
  String principal;

  @Option(names = "--lb-stats", split = ",", paramLabel = "HOST:PORT[,...]",
      description = "Load balancers' admin addresses serving /stats; given, the autoscaler runs with the services scheduler.")
  java.util.List<String> lbStats = new java.util.ArrayList<>();

  @Override
  public Integer call() throws Exception {
    ServicesHost host = new ServicesHost(lbStats);
    HttpServer.Builder b = HttpServer.builder().bind(ip, port).name("services-http").security(security.security());
    host.routes(b);
    io.mezzo.core.metrics.ProcessMetrics metrics = io.mezzo.core.metrics.ProcessMetrics.create("services");
    metrics.route(b);
    host.metrics(metrics);
    b.route("GET", "/health", Access.PUBLIC, req -> CompletableFuture.completedFuture(HttpResponse.text(200, "ok")));
    HttpServer http = b.start();
    try {
      host.start(master, zk, ServicesHost.local(ip, http.port()), principal, security.caller());
    } catch (RuntimeException e) {
      http.close();
      throw e;
    }
    System.out.println("mezzo services listening on " + (security.tlsCert == null ? "http" : "https") + "://" + ServicesHost.local(ip, http.port())
        + " (master " + master + ", state in ZooKeeper " + zk + ")");
    return Daemon.runUntilStopped(http, host);
  }
}
