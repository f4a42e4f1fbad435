package io.mezzo.cli;

import io.mezzo.master.Master;
import io.mezzo.master.MasterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mezzo master}: runs one master until stopped. Several masters given the same {@code --zk}
 * elect a leader; the others stand by and redirect (see the README's "High availability"). The
 * services scheduler, when it runs in the process, starts once this master leads. A master that loses
 * leadership exits with status 3, for its supervisor to restart it as a standby.
 */
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

  @Option(names = "--zk", description = "ZooKeeper connect string host:port,...[/chroot]; masters sharing it elect a"
      + " leader. Without it an embedded ZooKeeper runs in the work dir.")
  String zk;

  @Option(names = "--zk-session-timeout", defaultValue = "10s", converter = DurationConverter.class,
      description = "ZooKeeper session timeout: how soon a dead leader is replaced (default: ${DEFAULT-VALUE}).")
  Duration zkSessionTimeout;

  @Option(names = "--agent-reregister-timeout", defaultValue = "10m", converter = DurationConverter.class,
      description = "How long agents known from ZooKeeper get to reregister with a new leader before they are"
          + " marked unreachable (default: ${DEFAULT-VALUE}).")
  Duration agentReregisterTimeout;

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
    String zkConnect = zk != null && zk.startsWith("zk://") ? zk.substring("zk://".length()) : zk; // Mesos's form
    return new MasterConfig(ip, port, workDir.toAbsolutePath(), zkConnect, hostname == null ? ip : hostname, agentHeartbeat,
        maxMissed, frameworkHeartbeat, allocationInterval, killGrace, offerTimeout)
        .withFailover(agentReregisterTimeout, zkSessionTimeout);
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
      Master master = Master.start(config(), sec, security.caller(), b -> { }, io.mezzo.master.ha.LeaderElection::exitProcess);
      System.out.println("mezzo master " + master.masterId() + (master.elected().isDone() ? " leading" : " standing by")
          + " on " + (sec.tls() == null ? "http" : "https") + "://" + ip + ":" + master.port()
          + " (ZooKeeper " + master.zkConnect() + ")");
      return Daemon.runUntilStopped(master);
    }
    ServicesHost host = new ServicesHost(lbStats);
    // agents accept --secret-file's secret, not the fresh one made above for this master alone
    Master master = Master.start(config(), sec, security.caller(), host::routes, io.mezzo.master.ha.LeaderElection::exitProcess);
    String self = ServicesHost.local(ip, master.port());
    String advertised = (hostname == null ? ip : hostname) + ":" + master.port();
    String servicesPrincipal = principal;
    io.mezzo.core.auth.Caller caller = security.caller(token);
    // The services scheduler runs only in the leading master, subscribed to it.
    master.elected().thenRunAsync(() -> {
      try {
        host.start(self, master.zkConnect(), advertised, servicesPrincipal, caller);
      } catch (RuntimeException e) {
        io.mezzo.master.ha.LeaderElection.exitProcess("the services scheduler cannot start: " + e.getMessage());
      }
    });
    System.out.println("mezzo master " + master.masterId() + (master.elected().isDone() ? " leading" : " standing by")
        + " on " + (sec.tls() == null ? "http" : "https") + "://" + ip + ":" + master.port()
        + " (services scheduler: /v2; ZooKeeper " + master.zkConnect() + ")");
    return Daemon.runUntilStopped(master, host);
  }
}
