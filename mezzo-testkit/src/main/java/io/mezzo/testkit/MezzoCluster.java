package io.mezzo.testkit;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.json.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real cluster for tests: a master and agents, each a separate JVM process started from this
 * test's classpath ({@code io.mezzo.cli.Main}), on free loopback ports, with their logs in the work
 * directory. {@link #close} stops every process and kills any task process group left behind (found
 * through the {@code task.pid} files agents write into sandboxes), so a test leaves no orphans.
 * Agents run with their default task users (as root, tasks run as {@code nobody}); their tasks get
 * the test class path as {@code MEZZO_JAR} in a form every user can read ({@link TaskClassPath}).
 */
public final class MezzoCluster implements AutoCloseable {
  private final Path workDir;
  private final JsonClient http = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10));
  private final List<Node> nodes = new ArrayList<>();
  private final Builder options;
  private Node master;
  private int masterPort;

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

    Node(String name, Process process, Path log, int port) {
      this.name = name;
      this.process = process;
      this.log = log;
      this.port = port;
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
    private final List<String> masterOptions = new ArrayList<>();
    private boolean services = true;
    private boolean distinctHosts;

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

  private void startAll() {
    masterPort = freePort();
    List<String> args = new ArrayList<>(List.of("master", "--port", String.valueOf(masterPort),
        "--work-dir", workDir.resolve("master").toString(),
        "--agent-heartbeat-interval", options.agentHeartbeat.toMillis() + "ms",
        "--max-missed-heartbeats", String.valueOf(options.maxMissedHeartbeats),
        "--framework-heartbeat-interval", "1s",
        "--allocation-interval", "200ms",
        "--kill-grace-period", "1s"));
    if (!options.services) {
      args.add("--no-services");
    }
    args.addAll(options.masterOptions);
    masterArgs = List.copyOf(args);
    startMaster();
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
    master = launch("master", masterPort, masterArgs);
    await("master " + masterAddress() + " healthy").atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> healthy(masterPort, "/health"));
    return master;
  }

  /** Starts agent number {@code i} (again, after a kill), with its own work dir and port range. */
  public Node startAgent(int i) {
    int port = freePort();
    long first = 31000 + i * 100L;
    List<String> hostArgs = options.distinctHosts
        ? List.of("--ip", "0.0.0.0", "--hostname", "127.0.0." + (i + 1)) : List.of();
    Node agent = launch("agent-" + (i + 1), port, concat(hostArgs, "agent", "--master", masterAddress(),
        "--port", String.valueOf(port),
        "--work-dir", workDir.resolve("agent-" + (i + 1)).toString(),
        "--resources", options.agentResources + ";ports:[" + first + "-" + (first + 99) + "]",
        "--status-retry-interval", options.statusRetry.toMillis() + "ms",
        "--kill-grace-period", "1s"));
    await(agent.name + " healthy").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> healthy(port, "/health"));
    return agent;
  }

  private static List<String> concat(List<String> tail, String... head) {
    List<String> all = new ArrayList<>(List.of(head));
    all.addAll(tail);
    return all;
  }

  /** The ZooKeeper connect string the running master printed when it started. */
  public String masterZkConnect() {
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
    Node node = launch("services", port, List.of("services", "--master", masterAddress(), "--zk", zk,
        "--port", String.valueOf(port)));
    await("services healthy").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> healthy(port, "/health"));
    return node;
  }

  /** A free loopback port. */
  public static int freeLoopbackPort() {
    return freePort();
  }

  public String masterAddress() {
    return "127.0.0.1:" + masterPort;
  }

  public Node master() {
    return master;
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
    return getJson(masterPort, "/master/state");
  }

  public JsonNode getJson(int port, String path) {
    JsonClient.Reply r = http.get(URI.create("http://127.0.0.1:" + port + path)).join();
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
    try {
      return http.get(URI.create("http://127.0.0.1:" + port + path)).get(2, TimeUnit.SECONDS).ok();
    } catch (Exception e) {
      return false;
    }
  }

  private Node launch(String name, int port, List<String> args) {
    Path log = workDir.resolve(name + ".log");
    try {
      Files.createDirectories(workDir);
      List<String> cmd = new ArrayList<>();
      cmd.add(ProcessHandle.current().info().command().orElse("java"));
      cmd.add("-Xmx256m");
      cmd.add("-XX:+UseSerialGC");
      cmd.add("-XX:TieredStopAtLevel=1");
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add("io.mezzo.cli.Main");
      cmd.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(cmd)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      // Tasks of agents running as root run as nobody: their MEZZO_JAR must be readable by it.
      if (System.getenv("MEZZO_JAR") == null) {
        pb.environment().put("MEZZO_JAR", TaskClassPath.get());
      }
      Process p = pb.start();
      Node node = new Node(name, p, log, port);
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
