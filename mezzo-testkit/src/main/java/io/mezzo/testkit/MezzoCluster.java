package io.mezzo.testkit;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.json.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real cluster for tests: a master and agents, each a separate JVM process started from this
 * test's classpath ({@code io.mezzo.cli.Main}), on free loopback ports, with their logs in the work
 * directory. {@link #close} stops every process and kills any task process group left behind (found
 * through the {@code task.pid} files agents write into sandboxes), so a test leaves no orphans.
 *
 * <p>With {@code masters(n)} for n > 1 the cluster is highly available: a ZooKeeper server in its own
 * JVM ({@code ZooKeeperServerMain}, 500 ms ticks) and n master processes sharing it, one elected
 * leader; agents are given every master's address. {@link #leader()} waits for the leader,
 * {@link #killMaster} kills one with SIGKILL, and {@link #masterAddress()} / {@link #masterState()}
 * follow whichever master leads.
 *
 * <p>With {@code zookeepers(n)} for n > 1 (odd) as well, that ZooKeeper is an ensemble of n servers,
 * each its own JVM ({@code QuorumPeerMain}, generated {@code zoo.cfg}, 500 ms ticks) on loopback;
 * masters get every server in their connect string. {@link #killZooKeeper} and {@link #startZooKeeper}
 * take one server down (SIGKILL) and bring it back with its data, so a test can lose and regain quorum.
 *
 * <p>{@link #startLoadBalancer} runs {@code mezzo lb} as a process following every master.
 *
 * <p>With {@link Builder#zkDiscovery} agents and the load balancer are given {@link #zkUrl()}
 * ({@code zk://...}) instead of the masters' list, and find the leader in ZooKeeper.
 *
 * <p>With {@link Builder#principal} the cluster is secured: a credentials file (mode 600) in the work
 * directory holds the test's principals plus an admin ({@link #adminSecret}) and an agent principal;
 * the master and agents get {@code --credentials}, agents their secret, and the cluster's own reads
 * of state use the admin secret. With {@link Builder#mutualTls} the control plane speaks HTTPS and
 * agents and the cluster's reads are known by client certificates instead.
 *
 * <p>Agents run with their default task users (as root, tasks run as {@code nobody}); their tasks get
 * the test class path as {@code MEZZO_JAR} in a form every user can read ({@link TaskClassPath}).
 *
 * <p>With {@link Builder#agentInNetns} an agent runs in a network namespace of its own ({@link NetNamespace}:
 * {@code ip netns exec}, a veth pair to the host), advertising its address there; the master then
 * listens on every address ({@code --ip 0.0.0.0}, {@code --insecure} unless secured) and that agent
 * reaches it through its link. {@link #partition} cuts the link (packets dropped silently, both ways),
 * {@link #heal} restores it; {@link #close} deletes the namespaces, and {@link #start} first deletes
 * those that earlier test JVMs left behind. Skipped (a JUnit assumption) without root or {@code ip netns}.
 */
public final class MezzoCluster implements AutoCloseable {
  private final Path workDir;
  private JsonClient http = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10));
  private Path credentialsFile;
  private Path agentSecretFile;
  private final List<Node> nodes = new ArrayList<>();
  private final Map<Integer, NetNamespace> namespaces = new java.util.TreeMap<>();
  private final Builder options;
  private Node master;
  private int masterPort;
  /** HA clusters: the masters' ports and nodes by index, and the shared ZooKeeper's port. */
  private final List<Integer> masterPorts = new ArrayList<>();
  private final List<Node> masterNodes = new ArrayList<>();
  private int zkPort;

  private MezzoCluster(Builder options) {
    this.options = options;
    this.workDir = options.workDir;
  }

  public static Builder builder(Path workDir) {
    return new Builder(workDir);
  }

  /** One role process. */
  public static final class Node {
    private final String name;
    private final Process process;
    private final Path log;
    private final int port;
    private final String host;

    Node(String name, Process process, Path log, int port, String host) {
      this.name = name;
      this.process = process;
      this.log = log;
      this.port = port;
      this.host = host;
    }

    /** The address its HTTP port is reached at: 127.0.0.1, or its namespace's address. */
    public String host() {
      return host;
    }

    public String name() {
      return name;
    }

    public int port() {
      return port;
    }

    public long pid() {
      return process.pid();
    }

    public boolean isAlive() {
      return process.isAlive();
    }

    /** SIGKILL, as {@code kill -9}: the process gets no chance to clean up. */
    public void kill9() {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** SIGSTOP: the process freezes, its sockets stay open but nothing is read or sent (a partition). */
    public void pause() {
      signal("-STOP");
    }

    /** SIGCONT: the process resumes after {@link #pause}. */
    public void resume() {
      signal("-CONT");
    }

    private void signal(String sig) {
      try {
        int rc = new ProcessBuilder("kill", sig, String.valueOf(process.pid())).inheritIO().start().waitFor();
        if (rc != 0) {
          throw new IllegalStateException("kill " + sig + " " + process.pid() + " exited " + rc);
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot signal " + name + ": " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** The exit status once the process ended, else empty. */
    public java.util.OptionalInt exitCode() {
      return process.isAlive() ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(process.exitValue());
    }

    public String log() {
      try {
        return Files.readString(log, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(no log: " + e + ")";
      }
    }
  }

  /** Options for the cluster; {@link #start} launches it. */
  public static final class Builder {
    private final Path workDir;
    private int agents = 2;
    private Duration agentHeartbeat = Duration.ofMillis(200);
    private int maxMissedHeartbeats = 5;
    private Duration statusRetry = Duration.ofMillis(500);
    private String agentResources = "cpus:2;mem:1024;disk:1024";
    private int firstTaskPort = Integer.getInteger("mezzo.taskPorts", 31000);
    private final List<String> masterOptions = new ArrayList<>();
    private final List<String> agentOptions = new ArrayList<>();
    private boolean services = true;
    private boolean distinctHosts;
    private final java.util.Set<Integer> netnsAgents = new java.util.TreeSet<>();
    private int masters = 1;
    private Duration zkSessionTimeout = Duration.ofSeconds(2);
    private int zookeepers = 1;
    private boolean zkDiscovery;
    private final List<Map<String, Object>> principals = new ArrayList<>();
    private final String adminSecret = "admin-" + java.util.UUID.randomUUID();
    private final String agentSecret = "agent-" + java.util.UUID.randomUUID();
    private TestPki pki;
    private boolean requireClientCertificates;

    Builder(Path workDir) {
      this.workDir = workDir;
    }

    public Builder agents(int n) {
      this.agents = n;
      return this;
    }

    public Builder agentHeartbeat(Duration interval, int maxMissed) {
      this.agentHeartbeat = interval;
      this.maxMissedHeartbeats = maxMissed;
      return this;
    }

    /** Adds a {@code mezzo master} command-line option, e.g. {@code masterOption("--offer-timeout", "1s")}. */
    public Builder masterOption(String name, String value) {
      masterOptions.add(name);
      masterOptions.add(value);
      return this;
    }

    /**
     * Adds a {@code mezzo agent} command-line option given to every agent, e.g.
     * {@code agentOption("--image-gc-interval", "1s")}.
     */
    public Builder agentOption(String name, String value) {
      agentOptions.add(name);
      agentOptions.add(value);
      return this;
    }

    /** Whether the master runs the services scheduler ({@code /v2}); it does by default, as {@code mezzo master} does. */
    public Builder services(boolean on) {
      this.services = on;
      return this;
    }

    /**
     * Gives agent N the host name {@code 127.0.0.N} (it listens on every address), so that hostname
     * constraints see one host per agent, as on a real cluster.
     */
    public Builder distinctAgentHosts() {
      this.distinctHosts = true;
      return this;
    }

    /**
     * Runs agent {@code i} (0-based) in a network namespace of its own, so that {@link #partition} can
     * cut it off; single-master clusters only.
     */
    public Builder agentInNetns(int i) {
      if (i < 0) {
        throw new IllegalArgumentException("agentInNetns: " + i + " (expected: an agent index >= 0)");
      }
      netnsAgents.add(i);
      return this;
    }

    /**
     * Runs {@code n} masters against one ZooKeeper (its own process) instead of one master with an
     * embedded ZooKeeper; {@code zkSessionTimeout} (default 2 s) bounds how soon a killed leader is
     * replaced.
     */
    public Builder masters(int n) {
      if (n < 1 || n > 7) {
        throw new IllegalArgumentException("masters: " + n + " (expected: 1..7)");
      }
      this.masters = n;
      return this;
    }

    /**
     * With {@code masters(n > 1)}: runs a ZooKeeper ensemble of {@code n} servers (odd, 1..7; each its
     * own process) instead of a single server.
     */
    public Builder zookeepers(int n) {
      if (n < 1 || n > 7 || n % 2 == 0) {
        throw new IllegalArgumentException("zookeepers: " + n + " (expected: odd, 1..7)");
      }
      this.zookeepers = n;
      return this;
    }

    /**
     * With {@code masters(n > 1)}: agents and the load balancer get {@code --master zk://...} (see
     * {@link MezzoCluster#zkUrl}) and read the leader from ZooKeeper, instead of the masters' list.
     */
    public Builder zkDiscovery() {
      this.zkDiscovery = true;
      return this;
    }

    public Builder zkSessionTimeout(Duration timeout) {
      this.zkSessionTimeout = timeout;
      return this;
    }

    /**
     * Secures the cluster and adds a principal to its credentials file ({@code role}: admin, operator,
     * viewer, agent or framework; {@code frameworkRoles} for a framework principal).
     */
    public Builder principal(String name, String role, String secret, String... frameworkRoles) {
      return addPrincipal(name, "secret", secret, role, frameworkRoles);
    }

    /**
     * Secures the cluster and adds a principal known by the subject of its client certificate (such as
     * {@code CN=fw-a}; see {@link #mutualTls}) instead of a secret.
     */
    public Builder certificatePrincipal(String name, String role, String subject, String... frameworkRoles) {
      return addPrincipal(name, "certificate", subject, role, frameworkRoles);
    }

    /** A credentials-file entry: its name, how it is known ({@code secret} or {@code certificate}), its role. */
    private Builder addPrincipal(String name, String knownBy, String value, String role, String... frameworkRoles) {
      Map<String, Object> p = new java.util.LinkedHashMap<>();
      p.put("name", name);
      p.put(knownBy, value);
      p.put("role", role);
      if (frameworkRoles.length > 0) {
        p.put("frameworkRoles", List.of(frameworkRoles));
      }
      principals.add(p);
      return this;
    }

    /**
     * Secures the cluster and runs its control plane over mutual TLS with {@code pki}'s CA: the master,
     * agents, load balancer and services serve certificates it issues for 127.0.0.1; the master asks for
     * client certificates of that CA ({@code require}: refuses connections without one); agents
     * present a certificate of the agent principal ({@code CN=test-agents}) and get no secret; the
     * master (for its in-process services scheduler), the load balancer, {@code mezzo services} and the
     * cluster's own reads present the admin's ({@code CN=test-admin}) and send no token.
     */
    public Builder mutualTls(TestPki ca, boolean require) {
      this.pki = java.util.Objects.requireNonNull(ca, "ca");
      this.requireClientCertificates = require;
      return this;
    }

    /**
     * Agent i offers task ports {@code [first + 100 i, first + 100 i + 99]} (default first 31000, or
     * the system property {@code mezzo.taskPorts}, e.g. {@code mvn -Dmezzo.taskPorts=41000}); a
     * test picks another range so as not to meet the tasks of clusters that other test JVMs on the same
     * machine run at the same time.
     */
    public Builder taskPorts(int first) {
      if (first < 1024 || first > 65_000) {
        throw new IllegalArgumentException("taskPorts: " + first + " (expected: 1024..65000)");
      }
      this.firstTaskPort = first;
      return this;
    }

    public Builder agentResources(String resources) {
      this.agentResources = resources;
      return this;
    }

    public MezzoCluster start() {
      MezzoCluster c = new MezzoCluster(this);
      try {
        searchableByTasks(workDir);
        c.startAll();
      } catch (RuntimeException | Error e) {
        c.close();
        throw e;
      }
      return c;
    }
  }

  /**
   * Lets other users search {@code dir} (adds {@code o+x}, as {@code g+x}): the agents' tasks run as
   * {@code nobody}, and reach their sandboxes and the test's files in it by their paths. JUnit's temp
   * dirs are private to their owner.
   */
  private static void searchableByTasks(Path dir) {
    try {
      Files.createDirectories(dir);
      java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = new java.util.HashSet<>(
          Files.getPosixFilePermissions(dir));
      if (perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)
          | perms.add(java.nio.file.attribute.PosixFilePermission.GROUP_EXECUTE)) {
        Files.setPosixFilePermissions(dir, perms);
      }
    } catch (IOException | UnsupportedOperationException e) {
      throw new IllegalStateException("cannot make " + dir + " searchable for tasks: " + e, e);
    }
  }

  private List<String> masterArgs;

  /** The admin principal's secret of a secured cluster (see {@link Builder#principal}). */
  public String adminSecret() {
    return options.adminSecret;
  }

  /** The credentials file of a secured cluster, or null. */
  public Path credentialsFile() {
    return credentialsFile;
  }

  private void writeCredentials() throws IOException {
    List<Map<String, Object>> all = new ArrayList<>(options.principals);
    Map<String, Object> admin = new java.util.LinkedHashMap<>(Map.of("name", "test-admin", "secret",
        options.adminSecret, "role", "admin"));
    Map<String, Object> agents = new java.util.LinkedHashMap<>(Map.of("name", "test-agents", "secret",
        options.agentSecret, "role", "agent"));
    if (options.pki != null) {
      admin.put("certificate", "CN=test-admin");
      agents.put("certificate", "CN=test-agents");
    }
    all.add(admin);
    all.add(agents);
    Files.createDirectories(workDir);
    credentialsFile = workDir.resolve("credentials.json");
    agentSecretFile = workDir.resolve("agent.secret");
    for (Path f : List.of(credentialsFile, agentSecretFile)) {
      Files.deleteIfExists(f);
      Files.createFile(f, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    }
    Files.writeString(credentialsFile, new com.fasterxml.jackson.databind.ObjectMapper()
        .writeValueAsString(Map.of("principals", all)));
    Files.writeString(agentSecretFile, options.agentSecret);
    http = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10), options.pki == null
        ? io.mezzo.core.auth.Caller.withToken(options.adminSecret)
        : new io.mezzo.core.auth.Caller(null, io.mezzo.core.auth.Tls.client(options.pki.caPem(),
            adminCertificate.certificate(), adminCertificate.key())));
  }

  private TestPki.Identity serverCertificate;
  private TestPki.Identity agentCertificate;
  private TestPki.Identity adminCertificate;

  /** Mutual TLS: the servers' certificate and the agents' and admin's client certificates. */
  private void issueCertificates() {
    serverCertificate = options.pki.server("cluster-server");
    agentCertificate = options.pki.client("test-agents", "/CN=test-agents");
    adminCertificate = options.pki.client("test-admin", "/CN=test-admin");
  }

  /**
   * With mutual TLS, the flags of a process that serves HTTPS and calls others presenting
   * {@code client}; else none.
   */
  private List<String> tlsArgs(TestPki.Identity client) {
    if (options.pki == null) {
      return List.of();
    }
    return List.of("--tls-cert", serverCertificate.certificate().toString(), "--tls-key",
        serverCertificate.key().toString(), "--tls-ca", options.pki.caPem().toString(),
        "--tls-client-cert", client.certificate().toString(), "--tls-client-key", client.key().toString());
  }

  private void startAll() {
    if (!options.netnsAgents.isEmpty()) {
      String why = NetNamespace.unavailableReason();
      org.junit.jupiter.api.Assumptions.assumeTrue(why == null, () -> "agents in network namespaces: " + why);
      if (options.masters > 1) {
        throw new IllegalArgumentException("agentInNetns: with " + options.masters + " masters (expected: 1)");
      }
      NetNamespace.removeLeftovers();
    }
    if (options.pki != null) {
      issueCertificates();
    }
    if (!options.principals.isEmpty() || options.pki != null) {
      try {
        writeCredentials();
      } catch (IOException e) {
        throw new IllegalStateException("cannot write credentials under " + workDir + ": " + e, e);
      }
    }
    masterPort = freePort();
    List<String> args = new ArrayList<>(List.of("master",
        "--agent-heartbeat-interval", options.agentHeartbeat.toMillis() + "ms",
        "--max-missed-heartbeats", String.valueOf(options.maxMissedHeartbeats),
        "--framework-heartbeat-interval", "1s",
        "--allocation-interval", "200ms",
        "--kill-grace-period", "1s"));
    if (!options.services) {
      args.add("--no-services");
    }
    if (credentialsFile != null) {
      args.addAll(List.of("--credentials", credentialsFile.toString()));
    }
    if (options.pki != null) {
      args.addAll(tlsArgs(adminCertificate));
      args.addAll(List.of("--tls-client-ca", options.pki.caPem().toString(),
          "--tls-client-auth", options.requireClientCertificates ? "require" : "optional"));
    }
    if (!options.netnsAgents.isEmpty()) {
      args.addAll(List.of("--ip", "0.0.0.0")); // namespaced agents come from their links
      if (credentialsFile == null) {
        args.add("--insecure");
      }
    }
    args.addAll(options.masterOptions);
    masterArgs = List.copyOf(args);
    if (options.masters > 1) {
      if (options.zookeepers > 1) {
        startEnsemble();
      } else {
        startZooKeeper();
      }
      for (int i = 0; i < options.masters; i++) {
        masterPorts.add(freePort());
        masterNodes.add(null);
      }
      for (int i = 0; i < options.masters; i++) {
        launchMaster(i);
      }
      for (int i = 0; i < options.masters; i++) {
        awaitHealthy(masterNodes.get(i));
      }
      leader();
    } else {
      startMaster();
    }
    for (int i = 0; i < options.agents; i++) {
      startAgent(i);
    }
    await("all agents active").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> activeAgents() == options.agents);
  }

  /**
   * Starts the master (again, after {@link Node#kill9}), on the same port and work directory, so
   * that it recovers its state from the embedded ZooKeeper's data and agents find it again.
   */
  public Node startMaster() {
    if (options.masters > 1) {
      throw new IllegalStateException("startMaster(): this cluster has " + options.masters
          + " masters (expected: startMaster(i))");
    }
    master = launch("master", masterPort, concat(masterArgs.subList(1, masterArgs.size()), "master",
        "--port", String.valueOf(masterPort), "--work-dir", workDir.resolve("master").toString()));
    await("master " + masterAddress() + " healthy").atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> healthy(masterPort, "/health"));
    return master;
  }

  /** HA clusters: starts master {@code i} (again, after {@link #killMaster}) on its port; it joins as a standby. */
  public Node startMaster(int i) {
    Node n = launchMaster(i);
    awaitHealthy(n);
    return n;
  }

  private Node launchMaster(int i) {
    int port = masterPorts.get(i);
    Node n = launch("master-" + (i + 1), port, concat(masterArgs.subList(1, masterArgs.size()), "master",
        "--port", String.valueOf(port), "--work-dir", workDir.resolve("master-" + (i + 1)).toString(),
        "--zk", zkConnect(), "--zk-session-timeout", options.zkSessionTimeout.toMillis() + "ms"));
    masterNodes.set(i, n);
    return n;
  }

  private void awaitHealthy(Node n) {
    await(n.name + " healthy").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> healthy(n.port, "/health"));
  }

  /** HA clusters: SIGKILLs master {@code i} (0-based), leader or not. */
  public void killMaster(int i) {
    masterNodes.get(i).kill9();
  }

  /** HA clusters: the index of the master that leads and serves, waiting (up to a minute) for one. */
  public int leaderIndex() {
    if (options.masters == 1) {
      return 0;
    }
    return await("a leading master").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
        .until(this::currentLeader, i -> i >= 0);
  }

  /** HA clusters: the index of the master leading now, without waiting; empty while none does. */
  public java.util.OptionalInt leadingNow() {
    int i = currentLeader();
    return i < 0 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(i);
  }

  /** The master process that leads (the only one without HA), waiting for one to be elected. */
  public Node leader() {
    return options.masters == 1 ? master : masterNodes.get(leaderIndex());
  }

  /** HA clusters: master {@code i}'s process and port. */
  public Node masterNode(int i) {
    return options.masters == 1 ? master : masterNodes.get(i);
  }

  /** Every master's address, comma-separated, as agents and clients are given it. */
  public String masterAddresses() {
    if (options.masters == 1) {
      return masterAddress();
    }
    List<String> all = new ArrayList<>();
    masterPorts.forEach(p -> all.add("127.0.0.1:" + p));
    return String.join(",", all);
  }

  /** The index of the live master whose /master/state says it was elected, else -1. */
  private int currentLeader() {
    for (int i = 0; i < masterNodes.size(); i++) {
      Node n = masterNodes.get(i);
      if (n == null || !n.isAlive()) {
        continue;
      }
      try {
        JsonClient.Reply r = http.get(http.uri("127.0.0.1:" + n.port, "/master/state"))
            .get(2, TimeUnit.SECONDS);
        if (r.status() == 200 && Json.MAPPER.readTree(r.body()).has("elected_time")) {
          return i;
        }
      } catch (Exception e) {
        // down or starting: ask the next
      }
    }
    return -1;
  }

  private void startZooKeeper() {
    zkPort = freePort();
    Path data = workDir.resolve("zookeeper");
    try {
      Files.createDirectories(data);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create " + data + ": " + e, e);
    }
    launchJava("zookeeper", zkPort, List.of("-Dzookeeper.admin.enableServer=false"),
        "org.apache.zookeeper.server.ZooKeeperServerMain",
        List.of(String.valueOf(zkPort), data.toString(), "500"));
    await("zookeeper on " + zkPort).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> {
          try (java.net.Socket s = new java.net.Socket("127.0.0.1", zkPort)) {
            return true;
          } catch (IOException e) {
            return false;
          }
        });
  }

  /** Ensemble servers by index: client, quorum and election ports, and the running process. */
  private final List<int[]> zkServerPorts = new ArrayList<>();
  private final List<Node> zkNodes = new ArrayList<>();

  /** HA clusters: {@code zk://} and {@link #zkConnect()}, where clients find the leader (no chroot). */
  public String zkUrl() {
    return "zk://" + zkConnect();
  }

  /** What agents and the load balancer get as {@code --master}. */
  private String agentMasterSpec() {
    return options.zkDiscovery && options.masters > 1 ? zkUrl() : masterAddresses();
  }

  /** The ZooKeeper connect string masters get: every server of the ensemble, or the single server. */
  public String zkConnect() {
    if (zkServerPorts.isEmpty()) {
      return "127.0.0.1:" + zkPort;
    }
    List<String> all = new ArrayList<>();
    zkServerPorts.forEach(p -> all.add("127.0.0.1:" + p[0]));
    return String.join(",", all);
  }

  private void startEnsemble() {
    for (int i = 0; i < options.zookeepers; i++) {
      zkServerPorts.add(new int[] {freePort(), freePort(), freePort()});
      zkNodes.add(null);
    }
    StringBuilder servers = new StringBuilder();
    for (int i = 0; i < options.zookeepers; i++) {
      int[] p = zkServerPorts.get(i);
      servers.append("server.").append(i + 1).append("=127.0.0.1:").append(p[1]).append(':').append(p[2]).append('\n');
    }
    for (int i = 0; i < options.zookeepers; i++) {
      Path data = workDir.resolve("zookeeper-" + (i + 1));
      try {
        Files.createDirectories(data);
        Files.writeString(data.resolve("myid"), String.valueOf(i + 1));
        // 500 ms ticks: sessions of 1..10 s; followers must sync within 2.5 s
        Files.writeString(workDir.resolve("zoo-" + (i + 1) + ".cfg"), "tickTime=500\ninitLimit=10\nsyncLimit=5\n"
            + "dataDir=" + data + "\nclientPort=" + zkServerPorts.get(i)[0] + "\nadmin.enableServer=false\n"
            + "4lw.commands.whitelist=srvr,ruok\n" + servers);
      } catch (IOException e) {
        throw new IllegalStateException("cannot write the configuration of zookeeper-" + (i + 1) + ": " + e, e);
      }
    }
    for (int i = 0; i < options.zookeepers; i++) {
      launchZooKeeper(i);
    }
    await("a ZooKeeper quorum").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> java.util.stream.IntStream.range(0, options.zookeepers)
            .mapToObj(this::zooKeeperMode).filter(m -> m.equals("leader")).count() == 1);
  }

  private Node launchZooKeeper(int i) {
    Node n = launchJava("zookeeper-" + (i + 1), zkServerPorts.get(i)[0], List.of("-Dzookeeper.admin.enableServer=false"),
        "org.apache.zookeeper.server.quorum.QuorumPeerMain", List.of(workDir.resolve("zoo-" + (i + 1) + ".cfg").toString()));
    zkNodes.set(i, n);
    return n;
  }

  /** Ensemble clusters: SIGKILLs ZooKeeper server {@code i} (0-based). */
  public void killZooKeeper(int i) {
    ensembleNode(i).kill9();
  }

  /**
   * Ensemble clusters: starts ZooKeeper server {@code i} again (after {@link #killZooKeeper}) with its
   * data and ports, and waits for it to accept connections (it serves once it has joined a quorum).
   */
  public Node startZooKeeper(int i) {
    ensembleNode(i);
    Node n = launchZooKeeper(i);
    await("zookeeper-" + (i + 1) + " listening").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> !zooKeeperMode(i).isEmpty() || zkListening(zkServerPorts.get(i)[0]));
    return n;
  }

  /** Ensemble clusters: ZooKeeper server {@code i}'s process. */
  public Node zooKeeperNode(int i) {
    return ensembleNode(i);
  }

  /**
   * What ZooKeeper server {@code i} says it is ({@code srvr}): "leader", "follower" or "standalone";
   * empty when it is down or not serving (no quorum).
   */
  public String zooKeeperMode(int i) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress("127.0.0.1", zkServerPorts.get(i)[0]), 1000);
      s.setSoTimeout(2000);
      s.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("Mode: (\\w+)").matcher(answer);
      return m.find() ? m.group(1) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static boolean zkListening(int port) {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private Node ensembleNode(int i) {
    if (zkNodes.isEmpty()) {
      throw new IllegalStateException("zookeeper " + i + ": this cluster has no ensemble (expected: zookeepers(n > 1))");
    }
    if (i < 0 || i >= zkNodes.size()) {
      throw new IllegalArgumentException("zookeeper: " + i + " (expected: 0.." + (zkNodes.size() - 1) + ")");
    }
    return zkNodes.get(i);
  }

  /**
   * Starts {@code mezzo lb} as a process following every master, listening on 127.0.0.1 with
   * {@code httpPort} for vhost routes and {@code adminPort} for {@code /stats}; waits for its
   * {@code /health}. Started again on the same ports after a kill, it is the same load balancer
   * restarted. Its node is named "lb".
   */
  public Node startLoadBalancer(int httpPort, int adminPort) {
    List<String> args = new ArrayList<>(List.of("lb", "--master", agentMasterSpec(), "--ip", "127.0.0.1",
        "--http-port", String.valueOf(httpPort), "--admin-port", String.valueOf(adminPort)));
    if (credentialsFile != null) { // the feed reads /v2 as an admin (an operator would do)
      args.addAll(List.of("--credentials", credentialsFile.toString(), "--secret-file", adminSecretFile().toString()));
    }
    args.addAll(tlsArgs(adminCertificate));
    if (options.pki != null) { // callers of its admin port may be known by their certificates too
      args.addAll(List.of("--tls-client-ca", options.pki.caPem().toString(),
          "--tls-client-auth", options.requireClientCertificates ? "require" : "optional"));
    }
    Node lb = launch("lb", adminPort, args);
    await("lb healthy").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> healthy(adminPort, "/health"));
    return lb;
  }

  /**
   * The work directory of agent number {@code i} (from 0) of a cluster in {@code clusterDir}:
   * {@code clusterDir/agent-(i+1)}. Starting the cluster keeps what is in it, so a test may fill it first
   * (e.g. {@code mezzo image import ARCHIVE --work-dir DIR} while no agent holds its image store).
   */
  public static Path agentWorkDir(Path clusterDir, int i) {
    return clusterDir.resolve("agent-" + (i + 1));
  }

  /** Starts agent number {@code i} (again, after a kill), with its own work dir and port range. */
  public Node startAgent(int i) {
    int port = freePort();
    long first = options.firstTaskPort + i * 100L;
    NetNamespace ns = null;
    if (options.netnsAgents.contains(i)) {
      ns = namespaces.get(i);
      if (ns == null) {
        ns = NetNamespace.create();
        namespaces.put(i, ns);
      }
    }
    List<String> hostArgs = new ArrayList<>(ns != null ? List.of("--ip", ns.innerAddress(), "--hostname", ns.innerAddress())
        : options.distinctHosts ? List.of("--ip", "0.0.0.0", "--hostname", "127.0.0." + (i + 1)) : List.of());
    if (options.pki != null) {
      hostArgs.addAll(List.of("--credentials", credentialsFile.toString())); // known by its certificate
      hostArgs.addAll(tlsArgs(agentCertificate));
    } else if (credentialsFile != null) {
      hostArgs.addAll(List.of("--credentials", credentialsFile.toString(), "--secret-file", agentSecretFile.toString()));
    } else if (options.distinctHosts || ns != null) {
      hostArgs.add("--insecure"); // every address, no credentials: a test's choice
    }
    hostArgs.addAll(options.agentOptions);
    String masters = ns == null ? agentMasterSpec() : ns.hostAddress() + ":" + masterPort;
    String host = ns == null ? "127.0.0.1" : ns.innerAddress();
    Node agent = launchJava("agent-" + (i + 1), port, host, ns, List.of(), "io.mezzo.cli.Main",
        concat(hostArgs, "agent", "--master", masters,
        "--port", String.valueOf(port),
        "--work-dir", agentWorkDir(workDir, i).toString(),
        "--resources", options.agentResources + ";ports:[" + first + "-" + (first + 99) + "]",
        "--status-retry-interval", options.statusRetry.toMillis() + "ms",
        "--kill-grace-period", "1s"));
    await(agent.name + " healthy").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> healthy(host, port, "/health"));
    return agent;
  }

  /**
   * Cuts agent {@code i} (started with {@link Builder#agentInNetns}) off the network: every packet
   * to and from its namespace is dropped, its processes and tasks go on running.
   */
  public void partition(int i) {
    namespace(i).partition();
  }

  /** Ends the {@link #partition} of agent {@code i}. */
  public void heal(int i) {
    namespace(i).heal();
  }

  private NetNamespace namespace(int i) {
    NetNamespace ns = namespaces.get(i);
    if (ns == null) {
      throw new IllegalArgumentException("agent " + i + ": not in a network namespace (expected one of "
          + namespaces.keySet() + ", see Builder.agentInNetns)");
    }
    return ns;
  }

  private static List<String> concat(List<String> tail, String... head) {
    List<String> all = new ArrayList<>(List.of(head));
    all.addAll(tail);
    return all;
  }

  /** The ZooKeeper connect string the running master printed when it started. */
  public String masterZkConnect() {
    if (options.masters > 1) {
      return zkConnect();
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\(.*ZooKeeper ([^)\\s]+)\\)").matcher(master.log());
    String found = null;
    while (m.find()) {
      found = m.group(1);
    }
    if (found == null) {
      throw new IllegalStateException("the master's log names no ZooKeeper:\n" + master.log());
    }
    return found;
  }

  /**
   * Starts the services scheduler as its own process ({@code mezzo services}) on {@code port}, with
   * the master's ZooKeeper; for clusters built with {@code services(false)}.
   */
  public Node startServices(int port) {
    String zk = await("the master names its ZooKeeper").atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(this::masterZkConnect, java.util.Objects::nonNull);
    List<String> args = new ArrayList<>(List.of("services", "--master", masterAddress(), "--zk", zk,
        "--port", String.valueOf(port)));
    if (credentialsFile != null) {
      args.addAll(List.of("--credentials", credentialsFile.toString(), "--secret-file", adminSecretFile().toString()));
    }
    args.addAll(tlsArgs(adminCertificate));
    Node node = launch("services", port, args);
    await("services healthy").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> healthy(port, "/health"));
    return node;
  }

  /** The admin's secret in a file (mode 600) of the work directory, for processes calling as admin. */
  private Path adminSecretFile() {
    Path file = workDir.resolve("admin.secret");
    try {
      Files.writeString(file, options.adminSecret);
      Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + file + ": " + e, e);
    }
    return file;
  }

  /** A free loopback port. */
  public static int freeLoopbackPort() {
    return freePort();
  }

  /** The master's address; in an HA cluster the leader's (waiting for one to be elected). */
  public String masterAddress() {
    return "127.0.0.1:" + masterPort();
  }

  private int masterPort() {
    return options.masters == 1 ? masterPort : masterPorts.get(leaderIndex());
  }

  /** The master's process; in an HA cluster the leader's. */
  public Node master() {
    return leader();
  }

  /** The latest process started under {@code name} ("agent-1", ...). */
  public Node node(String name) {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      if (nodes.get(i).name.equals(name)) {
        return nodes.get(i);
      }
    }
    throw new IllegalArgumentException("node: '" + name + "' (expected: master or agent-N)");
  }

  public Path workDir() {
    return workDir;
  }

  /** {@code GET /master/state}, parsed. */
  public JsonNode masterState() {
    return getJson(masterPort(), "/master/state");
  }

  public JsonNode getJson(int port, String path) {
    JsonClient.Reply r = http.get(http.uri("127.0.0.1:" + port, path)).join();
    if (!r.ok()) {
      throw new IllegalStateException("GET " + path + ": HTTP " + r.status() + ": " + r.body());
    }
    try {
      return Json.MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException("GET " + path + ": not JSON: " + r.body(), e);
    }
  }

  /** The ids of every task the master's {@code /master/state} shows TASK_RUNNING, of any framework. */
  public java.util.Set<String> runningTaskIds() {
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (JsonNode f : masterState().path("frameworks")) {
      for (JsonNode t : f.path("tasks")) {
        if (t.path("state").asText().equals("TASK_RUNNING")) {
          ids.add(t.path("id").asText());
        }
      }
    }
    return ids;
  }

  public int activeAgents() {
    int n = 0;
    for (JsonNode s : masterState().path("slaves")) {
      if (s.path("active").asBoolean()) {
        n++;
      }
    }
    return n;
  }

  private boolean healthy(int port, String path) {
    return healthy("127.0.0.1", port, path);
  }

  private boolean healthy(String host, int port, String path) {
    try {
      return http.get(http.uri(host + ":" + port, path)).get(2, TimeUnit.SECONDS).ok();
    } catch (Exception e) {
      return false;
    }
  }

  private Node launch(String name, int port, List<String> args) {
    return launchJava(name, port, List.of(), "io.mezzo.cli.Main", args);
  }

  private Node launchJava(String name, int port, List<String> jvmArgs, String mainClass, List<String> args) {
    return launchJava(name, port, "127.0.0.1", null, jvmArgs, mainClass, args);
  }

  private Node launchJava(String name, int port, String host, NetNamespace ns, List<String> jvmArgs, String mainClass,
      List<String> args) {
    Path log = workDir.resolve(name + ".log");
    try {
      Files.createDirectories(workDir);
      List<String> cmd = new ArrayList<>();
      cmd.add(ProcessHandle.current().info().command().orElse("java"));
      cmd.add("-Xmx256m");
      cmd.add("-XX:+UseSerialGC");
      cmd.add("-XX:TieredStopAtLevel=1");
      cmd.addAll(jvmArgs);
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(mainClass);
      cmd.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(ns == null ? cmd : ns.exec(cmd))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      // Tasks of agents running as root run as nobody: their MEZZO_JAR must be readable by it.
      if (System.getenv("MEZZO_JAR") == null) {
        pb.environment().put("MEZZO_JAR", TaskClassPath.get());
      }
      Process p = pb.start();
      Node node = new Node(name, p, log, port, host);
      nodes.add(node);
      return node;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + name + ": " + e, e);
    }
  }

  @Override
  public void close() {
    for (Node n : nodes) {
      n.process.destroy();
    }
    for (Node n : nodes) {
      try {
        if (!n.process.waitFor(15, TimeUnit.SECONDS)) {
          n.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    killLeftoverTasks(workDir);
    killLeftoverContainers(workDir);
    namespaces.values().forEach(NetNamespace::close);
  }

  /**
   * Kills and deletes every runc container of the agents under {@code dir} (their {@code runc} state
   * directories) and unmounts their root filesystems ({@code containers/NAME/rootfs}), so that the
   * directory can be removed: a container's init is not in its supervisor's process group.
   */
  public static void killLeftoverContainers(Path dir) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir, 3)) {
      for (Path p : files.filter(Files::isDirectory).toList()) {
        String name = p.getFileName().toString();
        if (name.equals("runc")) {
          Process list = new ProcessBuilder("runc", "--root", p.toString(), "list", "-q")
              .redirectError(ProcessBuilder.Redirect.DISCARD).start();
          String ids = new String(list.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
          list.waitFor(10, TimeUnit.SECONDS);
          for (String id : ids.split("\n")) {
            if (!id.isBlank()) {
              new ProcessBuilder("runc", "--root", p.toString(), "delete", "--force", id.strip())
                  .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                  .waitFor(10, TimeUnit.SECONDS);
            }
          }
        } else if (name.equals("containers")) {
          try (Stream<Path> bundles = Files.list(p)) {
            for (Path b : bundles.toList()) {
              new ProcessBuilder("umount", "-l", b.resolve("rootfs").toString()).redirectErrorStream(true)
                  .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
            }
          }
        }
      }
    } catch (IOException e) {
      // best effort: what is left shows up as a temp dir that cannot be removed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Kills the process group of every {@code task.pid} under {@code dir} that is still alive. */
  public static List<Long> killLeftoverTasks(Path dir) {
    List<Long> killed = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return killed;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path pidFile : files.filter(p -> p.getFileName().toString().equals("task.pid")).toList()) {
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          new ProcessBuilder("kill", "-KILL", "--", "-" + pid).inheritIO().start().waitFor(5, TimeUnit.SECONDS);
          killed.add(pid);
        }
      }
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException("cannot clean up tasks under " + dir + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return killed;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port: " + e, e);
    }
  }
}
