package io.mezzo.cli;

import io.mezzo.agent.isolation.IsolationConfig;
import io.mezzo.agent.isolation.Isolators;
import io.mezzo.agent.user.Account;
import io.mezzo.agent.user.Accounts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The checks of {@code mezzo doctor}, one method each, each returning a {@link Check} that says what was
 * found and what to do: never throwing for what it finds. The judging parts that need no machine
 * ({@link #java}, {@link #skew}, {@link #diskSpace}, {@link #portRange}) are pure functions of their
 * inputs; the others read this machine (cgroups through the agent's own {@link Isolators}, ports by
 * binding them, users through {@code getent}, {@code ip netns}, {@code timedatectl}, a ZooKeeper's
 * four-letter words, the master's {@code /master/state} and its {@code Date} header). Stateless.
 */
final class NodeChecks {
  static final long GIB = 1L << 30;
  /** Work dirs with less free space fail: sandboxes, logs and the embedded ZooKeeper live there. */
  static final long DISK_FAIL_BYTES = GIB;
  static final long DISK_WARN_BYTES = 5 * GIB;
  /** Skew within this is fine: the Date header has a resolution of one second. */
  static final Duration SKEW_WARN = Duration.ofSeconds(2);
  static final Duration SKEW_FAIL = Duration.ofSeconds(60);
  private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(5);

  private NodeChecks() {}

  static Check java(Runtime.Version version, String vendor, String home) {
    String detail = version + " (" + vendor + ") at " + home;
    if (version.feature() < 17) {
      return Check.fail("java", detail, "Mezzo needs Java 17 or later: install a JDK 17 (apt-get install openjdk-17-jdk-headless)"
          + " and put it first on PATH or in JAVA_HOME");
    }
    return Check.ok("java", detail);
  }

  /** Who runs this: root may run tasks as their users; the task user must exist. */
  static Check user(String taskUser) {
    Account self;
    try {
      self = Accounts.self();
    } catch (IllegalStateException e) {
      return Check.warn("user", e.getMessage(), "run on Linux with /proc mounted");
    }
    if (!self.isRoot()) {
      return Check.warn("user", "running as " + self + ", not root: an agent here runs every task as " + self.name()
          + " and usually cannot write cgroups", "run the agent as root to isolate tasks and run them as their users"
          + " (or accept this with the agent's --switch-user false)");
    }
    try {
      return Accounts.byName(taskUser)
          .map(a -> Check.ok("user", "running as root; task user '" + taskUser + "' is " + a))
          .orElseGet(() -> Check.fail("user", "running as root; no user '" + taskUser + "' for tasks that name none",
              "create it (useradd --system --no-create-home " + taskUser + ") or pass the agent's --task-user"
                  + " an existing user"));
    } catch (IllegalStateException e) {
      return Check.warn("user", "cannot look up '" + taskUser + "': " + e.getMessage(), "install getent (libc-bin)");
    }
  }

  /** The cgroups layout and which isolator the agent would choose here (its own selection code). */
  static Check cgroups(Path root) {
    CgroupLayout layout = CgroupLayout.detect(root);
    Isolators.Selection chosen;
    try {
      IsolationConfig defaults = IsolationConfig.defaults();
      chosen = Isolators.select(new IsolationConfig("auto", 0, false, root, defaults.cgroupParent(),
          defaults.monitorInterval()), Clock.systemUTC());
    } catch (RuntimeException e) {
      return Check.fail("cgroups", layout.describe() + "; the agent cannot choose an isolator: " + e.getMessage(),
          "run the agent with --isolation posix, or fix the cgroup mounts");
    }
    String detail = layout.describe() + "; an agent would isolate with " + chosen.isolator().name() + ": " + chosen.reason();
    if (chosen.isolator().name().equals("posix")) {
      return Check.warn("cgroups", detail, "tasks get no cpu or memory limits: run the agent as root on a machine with"
          + " cgroups v2 (cpu, memory, pids delegated) or v1 (memory, cpu, cpuacct, pids) mounted");
    }
    return Check.ok("cgroups", detail);
  }

  /** Whether {@code ip netns} works (network-namespaced agents, the partition tests). */
  static Check netns() {
    Run r = run("ip", "netns", "list");
    if (r == null) {
      return Check.warn("netns", "no 'ip' command", "install iproute2 (apt-get install iproute2) for network"
          + " namespaces (agents in their own network, the partition tests)");
    }
    if (r.exit() != 0) {
      return Check.warn("netns", "ip netns list exits " + r.exit() + ": " + firstLine(r.output()),
          "run as root (network namespaces need CAP_SYS_ADMIN)");
    }
    long n = r.output().lines().filter(l -> !l.isBlank()).count();
    return Check.ok("netns", "ip netns works (" + n + " namespace(s) now)");
  }

  /**
   * Whether this node can run container tasks: {@code runc} on the PATH, run by root, and overlayfs in
   * {@code filesystems} (the text of {@code /proc/filesystems}; without it each container's root
   * filesystem is a copy of its image).
   */
  static Check containers(boolean root, String filesystems) {
    Run r = run("runc", "--version");
    if (r == null || r.exit() != 0) {
      return Check.warn("runc", r == null ? "no 'runc' command" : "runc --version exits " + r.exit(),
          "install runc (apt-get install runc) to run tasks with a container image; without it they end TASK_ERROR");
    }
    String version = firstLine(r.output());
    if (!root) {
      return Check.warn("runc", version + ", but this user is not root",
          "run the agent as root to run container tasks (runc needs it here)");
    }
    if (filesystems == null || !filesystems.contains("overlay")) {
      return Check.warn("runc", version + "; no overlayfs in /proc/filesystems",
          "load the overlay module (modprobe overlay): without it each container copies its image");
    }
    return Check.ok("runc", version + ", overlayfs");
  }

  /** {@code FIRST-LAST}, or {@code FIRST} for 1000 ports from it: {first, last}, or exit 2 naming the flag. */
  static int[] portRange(String spec) throws CliFailure {
    String s = spec.strip();
    try {
      int dash = s.indexOf('-');
      int first = Integer.parseInt(dash < 0 ? s : s.substring(0, dash));
      int last = dash < 0 ? first + 999 : Integer.parseInt(s.substring(dash + 1));
      if (first >= 1 && last <= 65_535 && first <= last) {
        return new int[] {first, last};
      }
    } catch (NumberFormatException e) {
      // falls through to the refusal
    }
    throw new CliFailure(2, "--task-ports: '" + spec + "' (expected: FIRST-LAST or FIRST, within 1-65535, e.g. 31000-31999)");
  }

  /** Binds each port of the range on every address; a port that cannot be bound is held by someone. */
  static Check ports(int first, int last) {
    List<Integer> busy = new ArrayList<>();
    for (int p = first; p <= last; p++) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true); // a port in TIME_WAIT is free for a task
        s.bind(new InetSocketAddress(p));
      } catch (IOException e) {
        busy.add(p);
      }
    }
    int total = last - first + 1;
    String range = first + "-" + last;
    if (busy.isEmpty()) {
      return Check.ok("ports", range + ": all " + total + " free");
    }
    String which = busy.size() <= 10 ? busy.toString() : busy.subList(0, 10) + " and " + (busy.size() - 10) + " more";
    String advice = "a task given a held port cannot listen on it: stop what holds them (ss -ltnp 'sport >= " + first
        + "'), or give the agent another range (--resources 'ports:[A-B]', mezzo up --task-ports, doctor --task-ports)";
    if (busy.size() == total) {
      return Check.fail("ports", range + ": all " + total + " in use", advice);
    }
    return Check.warn("ports", range + ": " + busy.size() + " of " + total + " in use: " + which, advice);
  }

  /** Free space and write access where the agent or master keeps its work dir (or its nearest existing parent). */
  static Check disk(Path workDir) {
    Path dir = workDir.toAbsolutePath();
    while (dir != null && !Files.exists(dir)) {
      dir = dir.getParent();
    }
    if (dir == null) {
      return Check.fail("disk", "no existing directory on the way to " + workDir, "create " + workDir);
    }
    try {
      FileStore store = Files.getFileStore(dir);
      long free = store.getUsableSpace();
      if (!Files.isWritable(dir)) {
        return Check.fail("disk", dir + " is not writable by this user", "give this user " + dir + ", or pick another --work-dir");
      }
      return diskSpace(workDir, dir, free);
    } catch (IOException e) {
      return Check.fail("disk", "cannot read the file system of " + dir + ": " + MarathonClient.describe(e),
          "pick another --work-dir");
    }
  }

  /** How much free space {@code free} bytes at {@code dir} are for {@code workDir}. */
  static Check diskSpace(Path workDir, Path dir, long free) {
    String detail = gib(free) + " free at " + dir + (dir.equals(workDir.toAbsolutePath()) ? "" : " (for " + workDir + ")");
    if (free < DISK_FAIL_BYTES) {
      return Check.fail("disk", detail, "free some space or pick another --work-dir: sandboxes and ZooKeeper's data"
          + " need at least " + gib(DISK_FAIL_BYTES));
    }
    if (free < DISK_WARN_BYTES) {
      return Check.warn("disk", detail, "under " + gib(DISK_WARN_BYTES) + ": task sandboxes are collected sooner"
          + " (--gc-delay) and may fill it");
    }
    return Check.ok("disk", detail);
  }

  private static String gib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) GIB);
  }

  /**
   * The master's clock against ours, from its {@code Date} header ({@code date}, null when absent) and
   * our clock before and after the request: the header has a resolution of one second, so the middle
   * of that second is taken.
   */
  static Check skew(String master, String date, long beforeMillis, long afterMillis) {
    if (date == null) {
      return Check.warn("clock", "the master at " + master + " sent no Date header", "update the master to compare clocks");
    }
    long theirs;
    try {
      theirs = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli() + 500;
    } catch (RuntimeException e) {
      return Check.warn("clock", "the master's Date header '" + date + "' is not an HTTP date", "check what answers at " + master);
    }
    long ours = (beforeMillis + afterMillis) / 2;
    long skew = ours - theirs;
    String detail = String.format(java.util.Locale.ROOT, "this clock is %s the master's by %.1f s (request took %d ms)",
        skew >= 0 ? "ahead of" : "behind", Math.abs(skew) / 1000.0, afterMillis - beforeMillis);
    if (Math.abs(skew) > SKEW_FAIL.toMillis()) {
      return Check.fail("clock", detail, "sync the clocks (NTP: timedatectl set-ntp true, or chrony): health checks,"
          + " schedules and timeouts compare times across machines");
    }
    if (Math.abs(skew) > SKEW_WARN.toMillis() + (afterMillis - beforeMillis)) {
      return Check.warn("clock", detail, "sync the clocks with NTP (timedatectl set-ntp true, or chrony)");
    }
    return Check.ok("clock", detail);
  }

  /** Reads the master's Date header over {@code GET /health}; null when unreachable is reported by the master check. */
  static Check clock(String master, io.mezzo.core.auth.Caller caller) {
    HttpClient http = caller.configure(HttpClient.newBuilder()).connectTimeout(Duration.ofSeconds(3)).build();
    long before = System.currentTimeMillis();
    try {
      HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(caller.scheme() + "://" + master + "/health"))
          .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding());
      long after = System.currentTimeMillis();
      return skew(master, r.headers().firstValue("Date").orElse(null), before, after);
    } catch (IOException e) {
      return Check.skip("clock", "the master at " + master + " did not answer: " + MarathonClient.describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Check.skip("clock", "interrupted");
    }
  }

  /** Whether the system clock is NTP-synchronized, when {@code timedatectl} can tell. */
  static Check ntp() {
    Run r = run("timedatectl", "show", "-p", "NTPSynchronized", "--value");
    if (r == null) {
      return Check.skip("ntp", "no timedatectl here (not a systemd machine): check chrony or ntpd yourself");
    }
    if (r.exit() != 0) {
      return Check.skip("ntp", "timedatectl cannot tell: " + firstLine(r.output()));
    }
    return r.output().strip().equals("yes") ? Check.ok("ntp", "the system clock is NTP-synchronized")
        : Check.warn("ntp", "the system clock is not NTP-synchronized", "timedatectl set-ntp true (or run chrony)");
  }

  /** A ZooKeeper server's {@code ruok} and {@code stat} answers, over a plain TCP connection. */
  static Check zookeeper(String connect) {
    List<String> found = new ArrayList<>();
    for (String server : connect.split(",")) {
      String hp = server.strip();
      int colon = hp.lastIndexOf(':');
      if (colon <= 0) {
        return Check.fail("zookeeper", "'" + hp + "' is not HOST:PORT", "pass --zk HOST:PORT[,HOST:PORT...]");
      }
      String host = hp.substring(0, colon);
      int port;
      try {
        port = Integer.parseInt(hp.substring(colon + 1));
      } catch (NumberFormatException e) {
        return Check.fail("zookeeper", "'" + hp + "' is not HOST:PORT", "pass --zk HOST:PORT[,HOST:PORT...]");
      }
      String ruok;
      try {
        ruok = fourLetters(host, port, "ruok");
      } catch (IOException e) {
        return Check.fail("zookeeper", "cannot reach " + hp + ": " + MarathonClient.describe(e),
            "is ZooKeeper running there? --zk must name the ensemble's client ports (as the masters' --zk)");
      }
      if (ruok.equals("imok")) {
        String mode = "";
        try {
          mode = fourLetters(host, port, "stat").lines().filter(l -> l.startsWith("Mode:")).findFirst()
              .map(l -> ", " + l.substring(5).strip()).orElse("");
        } catch (IOException e) {
          // ruok answered: the mode is a detail
        }
        found.add(hp + " imok" + mode);
      } else if (ruok.contains("whitelist")) {
        found.add(hp + " reachable (ruok is not in its 4lw.commands.whitelist)");
      } else {
        return Check.fail("zookeeper", hp + " answers ruok with '" + firstLine(ruok) + "'",
            "check that " + hp + " is a ZooKeeper server's client port");
      }
    }
    return Check.ok("zookeeper", String.join("; ", found));
  }

  private static String fourLetters(String host, int port, String word) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 3000);
      s.setSoTimeout(3000);
      OutputStream out = s.getOutputStream();
      out.write(word.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
  }

  /** A command's exit code and output (stderr merged). */
  record Run(int exit, String output) {}

  /** Runs a command; null when it cannot be started at all (not installed). */
  static Run run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(PROCESS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new Run(-1, "timed out after " + PROCESS_TIMEOUT.toSeconds() + " s");
      }
      return new Run(p.exitValue(), output);
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Run(-1, "interrupted");
    }
  }

  private static String firstLine(String s) {
    return s.strip().lines().findFirst().orElse("");
  }
}
