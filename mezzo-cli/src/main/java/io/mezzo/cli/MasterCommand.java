package io.mezzo.cli;

import io.mezzo.master.Master;
import io.mezzo.master.MasterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mezzo master}: runs one master until stopped. */
@Command(name = "master", mixinStandardHelpOptions = true, description = "Run a master.")
final class MasterCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "5050", description = "HTTP port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--ip", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String ip;

  @Option(names = "--hostname", description = "Host name advertised in state and offers (default: the --ip).")
  String hostname;

  @Option(names = "--work-dir", defaultValue = "/tmp/mezzo/master", description = "Work directory (default: ${DEFAULT-VALUE}).")
  Path workDir;

  @Option(names = "--zk", description = "ZooKeeper connect string host:port,...; without it an embedded ZooKeeper runs in the work dir.")
  String zk;

  @Option(names = "--agent-heartbeat-interval", defaultValue = "15s", converter = DurationConverter.class,
      description = "How often agents heartbeat (default: ${DEFAULT-VALUE}).")
  Duration agentHeartbeat;

  @Option(names = "--max-missed-heartbeats", defaultValue = "5",
      description = "Missed heartbeats before an agent is unreachable (default: ${DEFAULT-VALUE}).")
  int maxMissed;

  @Option(names = "--framework-heartbeat-interval", defaultValue = "15s", converter = DurationConverter.class,
      description = "HEARTBEAT events to frameworks (default: ${DEFAULT-VALUE}).")
  Duration frameworkHeartbeat;

  @Option(names = "--allocation-interval", defaultValue = "1s", converter = DurationConverter.class,
      description = "Batch allocation interval (default: ${DEFAULT-VALUE}).")
  Duration allocationInterval;

  @Option(names = "--kill-grace-period", defaultValue = "3s", converter = DurationConverter.class,
      description = "SIGTERM to SIGKILL delay when killing tasks (default: ${DEFAULT-VALUE}).")
  Duration killGrace;

  @Option(names = "--offer-timeout", defaultValue = "60s", converter = DurationConverter.class,
      description = "Rescind offers left unused this long (default: ${DEFAULT-VALUE}).")
  Duration offerTimeout;

  @Option(names = "--services", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Run the services scheduler (Marathon /v2 API) in this process (default: ${DEFAULT-VALUE}; --no-services to run it apart).")
  boolean services;

  @Option(names = "--lb-stats", split = ",", paramLabel = "HOST:PORT[,...]",
      description = "Load balancers' admin addresses serving /stats; given, the autoscaler runs with the services scheduler.")
  java.util.List<String> lbStats = new java.util.ArrayList<>();

  @picocli.CommandLine.Mixin
  SecurityOptions security;

  MasterConfig config() {
    return new MasterConfig(ip, port, workDir.toAbsolutePath(), zk, hostname == null ? ip : hostname, agentHeartbeat,
        maxMissed, frameworkHeartbeat, allocationInterval, killGrace, offerTimeout);
  }

  @Override
  public Integer call() throws Exception {
    io.mezzo.core.auth.Security sec = security.security();
    // The in-process services scheduler and autoscaler call this master, the load balancers and the
    // agents: with --secret-file (an admin principal's secret) everywhere; without, with a fresh admin
    // secret this master alone accepts.
    String token = security.secret();
    String principal = null;
    if (sec.credentials() != null) {
      if (token == null) {
        token = io.mezzo.core.auth.Credentials.newSecret();
        principal = "mezzo-services";
        sec = new io.mezzo.core.auth.Security(sec.credentials().with(new io.mezzo.core.auth.Principal(principal,
            io.mezzo.core.auth.Role.ADMIN, java.util.Set.of()), token), sec.insecure());
      } else {
        String t = token;
        principal = sec.credentials().authenticate(t).map(io.mezzo.core.auth.Principal::name).orElseThrow(() ->
            new IllegalArgumentException("--secret-file: " + security.secretFile + " holds no secret of --credentials "
                + security.credentials + " (expected: an admin principal's secret)"));
      }
    }
    if (!services) {
      Master master = Master.start(config(), sec, b -> { });
      System.out.println("mezzo master " + master.masterId() + " listening on " + (sec.tls() == null ? "http" : "https") + "://" + ip + ":" + master.port()
          + " (ZooKeeper " + master.zkConnect() + ")");
      return Daemon.runUntilStopped(master);
    }
    ServicesHost host = new ServicesHost(lbStats);
    Master master = Master.start(config(), sec, host::routes);
    try {
      String self = ServicesHost.local(ip, master.port());
      host.start(self, master.zkConnect(), (hostname == null ? ip : hostname) + ":" + master.port(), principal,
          security.caller(token));
    } catch (RuntimeException e) {
      master.close();
      throw e;
    }
    System.out.println("mezzo master " + master.masterId() + " listening on " + (sec.tls() == null ? "http" : "https") + "://" + ip + ":" + master.port()
        + " (services scheduler: /v2; ZooKeeper " + master.zkConnect() + ")");
    return Daemon.runUntilStopped(master, host);
  }
}
