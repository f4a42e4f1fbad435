package io.mezzo.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A network namespace for one agent, made with iproute2: {@code mezzo-<owner pid>-<id>}, joined to the
 * host by a veth pair {@code mzh<id>} (host side, {@code 10.213.N.1/30}) / {@code mzn<id>} (inside,
 * {@code 10.213.N.2/30}, loopback up, default route via the host side). A process started with
 * {@link #exec} lives inside it and reaches the host at {@link #hostAddress()}; the host reaches it at
 * {@link #innerAddress()}.
 *
 * <p>{@link #partition} cuts the link as a dead cable or switch would: a {@code blackhole} queueing
 * discipline (a {@code pfifo} of length 0 where that is missing) on both ends drops every packet
 * silently, so connections time out instead of being refused and the links stay up. {@link #heal}
 * removes them. {@link #close} kills what still runs inside and deletes the namespace (and with it the
 * veth pair); {@link #removeLeftovers} deletes namespaces of owners that died without closing theirs.
 *
 * <p>Needs root; not thread-safe (the test's thread).
 */
final class NetNamespace implements AutoCloseable {
  private static final Pattern OURS = Pattern.compile("mezzo-(\\d+)-[0-9a-f]+");

  private final String name;
  private final String hostVeth;
  private final String innerVeth;
  private final int subnet;
  private boolean partitioned;

  private NetNamespace(String id, int subnet) {
    this.name = "mezzo-" + ProcessHandle.current().pid() + "-" + id;
    this.hostVeth = "mzh" + id;
    this.innerVeth = "mzn" + id;
    this.subnet = subnet;
  }

  /** Why namespaces cannot be used here (not root, no {@code ip netns}), or null when they can. */
  static String unavailableReason() {
    String uid = effectiveUid();
    if (!"0".equals(uid)) {
      return "network namespaces need root (running as uid " + uid + ")";
    }
    try {
      Result r = run(List.of("ip", "netns", "list"));
      return r.rc == 0 ? null : "'ip netns list' failed (" + r.rc + "): " + r.out;
    } catch (IllegalStateException e) {
      return "no iproute2: " + e.getMessage();
    }
  }

  /** The effective user id from {@code /proc/self/status}, or "unknown". */
  private static String effectiveUid() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.substring(4).trim().split("\\s+")[1];
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: no namespaces either
    }
    return "unknown";
  }

  /** Creates a namespace on a free 10.213.N.0/30, wired to the host. */
  static NetNamespace create() {
    String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0x1000000));
    String used = run(List.of("ip", "-o", "-4", "addr", "show")).out;
    int subnet = -1;
    for (int tries = 0; tries < 500 && subnet < 0; tries++) {
      int n = ThreadLocalRandom.current().nextInt(1, 255);
      if (!used.contains(" 10.213." + n + ".")) {
        subnet = n;
      }
    }
    if (subnet < 0) {
      throw new IllegalStateException("no free 10.213.N.0/30 for a namespace: " + used);
    }
    NetNamespace ns = new NetNamespace(id, subnet);
    try {
      ns.setUp();
    } catch (RuntimeException e) {
      ns.close();
      throw e;
    }
    return ns;
  }

  private void setUp() {
    check(List.of("ip", "netns", "add", name));
    check(List.of("ip", "link", "add", hostVeth, "type", "veth", "peer", "name", innerVeth));
    check(List.of("ip", "link", "set", innerVeth, "netns", name));
    check(List.of("ip", "addr", "add", hostAddress() + "/30", "dev", hostVeth));
    check(List.of("ip", "link", "set", hostVeth, "up"));
    check(List.of("ip", "-n", name, "addr", "add", innerAddress() + "/30", "dev", innerVeth));
    check(List.of("ip", "-n", name, "link", "set", innerVeth, "up"));
    check(List.of("ip", "-n", name, "link", "set", "lo", "up"));
    check(List.of("ip", "-n", name, "route", "add", "default", "via", hostAddress()));
  }

  String name() {
    return name;
  }

  /** The host's address on the link, which processes inside use to reach the host. */
  String hostAddress() {
    return "10.213." + subnet + ".1";
  }

  /** The address of the inside end. */
  String innerAddress() {
    return "10.213." + subnet + ".2";
  }

  /** {@code command} prefixed to run inside the namespace. */
  List<String> exec(List<String> command) {
    List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", name));
    all.addAll(command);
    return all;
  }

  boolean partitioned() {
    return partitioned;
  }

  /** Drops every packet on the link, both ways. */
  void partition() {
    if (partitioned) {
      return;
    }
    blackhole(List.of(), hostVeth);
    blackhole(List.of("-n", name), innerVeth);
    partitioned = true;
  }

  private static void blackhole(List<String> where, String dev) {
    List<String> add = new ArrayList<>(List.of("tc"));
    add.addAll(where);
    add.addAll(List.of("qdisc", "add", "dev", dev, "root"));
    List<String> blackhole = new ArrayList<>(add);
    blackhole.add("blackhole");
    if (run(blackhole).rc != 0) {
      List<String> zeroQueue = new ArrayList<>(add);
      zeroQueue.addAll(List.of("pfifo", "limit", "0"));
      check(zeroQueue);
    }
  }

  /** Lets packets through again. */
  void heal() {
    if (!partitioned) {
      return;
    }
    check(List.of("tc", "qdisc", "del", "dev", hostVeth, "root"));
    check(List.of("tc", "-n", name, "qdisc", "del", "dev", innerVeth, "root"));
    partitioned = false;
  }

  /** Kills every process left inside, then deletes the namespace and the host's end of the link. */
  @Override
  public void close() {
    delete(name);
    run(List.of("ip", "link", "del", hostVeth)); // gone with the namespace, unless something held it
  }

  private static void delete(String netns) {
    for (String pid : run(List.of("ip", "netns", "pids", netns)).out.split("\\s+")) {
      if (!pid.isBlank()) {
        run(List.of("kill", "-KILL", pid.trim()));
      }
    }
    run(List.of("ip", "netns", "del", netns));
  }

  /** Deletes the {@code mezzo-<pid>-*} namespaces whose owning process is gone; returns their names. */
  static List<String> removeLeftovers() {
    List<String> removed = new ArrayList<>();
    for (String line : run(List.of("ip", "netns", "list")).out.split("\n")) {
      String ns = line.trim().split("\\s+")[0];
      Matcher m = OURS.matcher(ns);
      if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).map(p -> !p.isAlive()).orElse(true)) {
        delete(ns);
        removed.add(ns);
      }
    }
    return removed;
  }

  private record Result(int rc, String out) {}

  private static void check(List<String> command) {
    Result r = run(command);
    if (r.rc != 0) {
      throw new IllegalStateException(String.join(" ", command) + ": exit " + r.rc + ": " + r.out.trim());
    }
  }

  private static Result run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, out + " (timed out)");
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }
}
