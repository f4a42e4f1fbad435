package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.json.Json;
import io.mezzo.master.ha.LeaderElection;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.V2Client;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault-injection suite, control-plane part: real processes on loopback (a ZooKeeper ensemble of
 * three, three masters, two agents, a {@code mezzo lb} process) with a healthy sample-server app of two
 * instances behind the load balancer under a steady open-loop load, and these faults injected one
 * after the other:
 * <ol>
 *   <li>kill -9 of the leading master, {@code chaos.repeat} times (default 2; {@code bench/chaos} runs
 *       10), an app created (201) just before each kill; the killed master comes back as a standby;
 *   <li>kill -9 of the leading master (which hosts the services scheduler) in the middle of a rolling
 *       upgrade: the new leader's scheduler finishes it;
 *   <li>a ZooKeeper server killed (quorum kept), then a second (quorum lost: the leader exits), then
 *       both restarted (quorum regained: a leader is elected with the state intact);
 *   <li>the load balancer process killed and started again on its ports.
 * </ol>
 * After each: every app acknowledged is in {@code /v2/apps} with its spec, every app's instances
 * converge to its spec, and the running instances the services API reports are exactly those the
 * agents run (no status update lost, no duplicate). The load through the load balancer fails no
 * request in any part but the load balancer's own restart (the data plane does not need the master or
 * ZooKeeper), and a rolling upgrade never runs more than {@code instances * (1 + maximumOverCapacity)}.
 * Failover times (SIGKILL to a new leader serving {@code /master/state} with both agents) and the
 * load's figures are printed as a table ({@link ChaosReport}), never asserted on.
 */
@Tag("chaos")
class ChaosClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  /**
   * How long apps may take to converge after a fault. Longer than WAIT: a deployment recovered by a
   * new leader has been seen to wait about 120 s for offers (the report's converge_ms shows it).
   */
  private static final Duration CONVERGE = Duration.ofMinutes(4);
  /** How many times the leader is killed: 2 in the short form, {@code -Dchaos.repeat=10} in the long one. */
  private static final int REPEAT = Integer.getInteger("chaos.repeat", 2);
  private static final double RATE = Double.parseDouble(System.getProperty("chaos.rate", "40"));
  /** The instance states that count against an upgrade's capacity (not leaving). */
  private static final Set<String> KEPT = Set.of("PROVISIONED", "STAGING", "STARTING", "RUNNING");
  private static final Set<String> LIVE = Set.of("TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING");

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // the processes' logs stay after a failure
  Path dir;

  MezzoCluster cluster;
  SteadyLoad load;
  final JsonClient http = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(5));
  final ChaosReport report = new ChaosReport();
  /** Every app the services API acknowledged (201/200), by id, with the spec it acknowledged. */
  final Map<String, String> acknowledged = new LinkedHashMap<>();
  int lbPort;
  /** The agents' ports (read once: the cluster's node list belongs to the test's thread). */
  List<Integer> agentPorts;
  List<Integer> masterPorts;
  int lbAdminPort;

  @AfterEach
  void stop() throws InterruptedException {
    if (load != null) {
      load.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    report.lines().forEach(System.out::println);
    System.out.println("CHAOS-LOG work directory: " + dir);
  }

  private V2Client v2() {
    return new V2Client(cluster.masterAddress());
  }

  @Test
  void leaderZooKeeperLoadBalancerAndSchedulerFaultsLoseNothingAcknowledged() throws Exception {
    cluster = MezzoCluster.builder(dir).masters(3).zookeepers(3).agents(2)
        .agentResources("cpus:4;mem:2048;disk:1024").start();
    await("the services scheduler registered").atMost(WAIT).ignoreExceptions()
        .until(() -> v2().get("/v2/info").json().path("frameworkId").isTextual());
    agentPorts = List.of(cluster.node("agent-1").port(), cluster.node("agent-2").port());
    masterPorts = List.of(cluster.masterNode(0).port(), cluster.masterNode(1).port(), cluster.masterNode(2).port());
    lbPort = MezzoCluster.freeLoopbackPort();
    lbAdminPort = MezzoCluster.freeLoopbackPort();
    cluster.startLoadBalancer(MezzoCluster.freeLoopbackPort(), lbAdminPort);

    create("/web", LbClusterSupport.sampleApp("/web", 2,
        Map.of("mezzo.drain.seconds", "1", "MEZZO_LB_PORT_0", String.valueOf(lbPort)), ""));
    create("/rolling", rollingApp("1"));
    long initial = awaitConverged();
    System.out.printf("CHAOS-LOG the apps converged %d ms after they were created%n", initial);
    await("the lb routes to both instances").atMost(WAIT).until(() -> lbBackends("/web:0") == 2);

    load = new SteadyLoad(URI.create("http://127.0.0.1:" + lbPort + "/"), RATE, 4);
    int start = load.mark();
    await("the load gets answers").atMost(WAIT).until(() -> load.since(start).sent() > RATE);

    killTheLeader();
    killTheSchedulerMidDeployment();
    loseAndRegainZooKeeper();
    restartTheLoadBalancer();

    assertThat(load.running()).as("the load runs (%s)", load.failure()).isTrue();
  }

  /** Kills the leader REPEAT times, each right after an app was acknowledged; the old one returns as a standby. */
  private void killTheLeader() {
    int mark = load.mark();
    List<Long> times = new ArrayList<>();
    long converge = 0;
    for (int round = 1; round <= REPEAT; round++) {
      create("/ack-" + round, "{\"id\":\"/ack-" + round + "\",\"cmd\":\"sleep 3600\",\"cpus\":0.01,\"mem\":8,"
          + "\"instances\":1}");
      int old = cluster.leaderIndex();
      times.add(failover(old));
      System.out.printf("CHAOS-LOG leader kill %d/%d: master-%d killed, master-%d leads after %d ms%n",
          round, REPEAT, old + 1, cluster.leaderIndex() + 1, times.get(times.size() - 1));
      cluster.startMaster(old);
      converge = Math.max(converge, awaitConverged());
    }
    ChaosReport.LoadWindow w = load.since(mark);
    report.add("kill -9 of the leading master", REPEAT, times, converge, w,
        "failover: kill -> leader with both agents; an app created just before each kill");
    assertThat(w.failed()).as("requests failed through the lb across leader kills:%s", load.failuresSince(mark))
        .isZero();
  }

  /**
   * SIGKILLs master {@code old} (the leader) and waits for another to lead with both agents active;
   * returns the milliseconds that took.
   */
  private long failover(int old) {
    long killedAt = System.nanoTime();
    cluster.killMaster(old);
    await("a new leader with both agents").atMost(WAIT).pollInterval(Duration.ofMillis(50))
        .until(() -> cluster.leadingNow().orElse(old) != old && cluster.activeAgents() == 2);
    return (System.nanoTime() - killedAt) / 1_000_000;
  }

  /**
   * A rolling upgrade of 4 instances that each need a few seconds to turn healthy, 2 over capacity at
   * most; the leader (its scheduler) is killed once the first new instances run.
   */
  private void killTheSchedulerMidDeployment() {
    int mark = load.mark();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger mostOnAgents = new AtomicInteger();
    // Through the upgrade, every 50 ms on a thread of its own: the instances of /rolling the leader's
    // services API counts as kept (not leaving: draining or killing ones do not count against the cap,
    // see RollingUpgrade), and everything the agents run of it, leaving ones included.
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    sampler.scheduleWithFixedDelay(() -> {
      try {
        mostOnAgents.accumulateAndGet(agentTasks("rolling").size(), Math::max);
      } catch (RuntimeException e) {
        // an agent slow to answer: the next sample
      }
      for (int port : masterPorts) {
        try {
          JsonNode tasks = get(port, "/v2/apps/rolling/tasks").path("tasks");
          int kept = 0;
          for (JsonNode t : tasks) {
            kept += KEPT.contains(t.path("mezzoState").asText()) ? 1 : 0;
          }
          most.accumulateAndGet(kept, Math::max);
          return;
        } catch (RuntimeException e) {
          // a standby (307), no leader yet, or a slow answer: the next master
        }
      }
    }, 0, 50, TimeUnit.MILLISECONDS);
    try {
      Set<String> before = v2Running("/rolling");
      V2Client.Answer put = v2().put("/v2/apps/rolling", rollingApp("2"));
      assertThat(put.status()).as("%s", put).isEqualTo(200);
      acknowledged.put("/rolling", rollingApp("2"));
      String deployment = put.json().path("deploymentId").asText();
      await("the upgrade has started new instances").atMost(WAIT)
          .until(() -> agentTasks("rolling").stream().anyMatch(id -> !before.contains(id)));
      int old = cluster.leaderIndex();
      long ms = failover(old);
      System.out.printf("CHAOS-LOG scheduler kill mid-deployment: master-%d killed, master-%d leads after %d ms%n",
          old + 1, cluster.leaderIndex() + 1, ms);
      await("the services API is back").atMost(WAIT).ignoreExceptions()
          .until(() -> v2().get("/v2/info").status() == 200);
      // The acknowledged deployment is either still running or done (the app at its new version).
      JsonNode deployments = v2().get("/v2/deployments").json();
      assertThat(deployments.findValuesAsText("id").contains(deployment) || deployments.isEmpty()).as("%s", deployments)
          .isTrue();
      cluster.startMaster(old);
      long converge = awaitConverged();
      assertThat(v2Running("/rolling")).doesNotContainAnyElementsOf(before);
      sampler.shutdown();
      assertThat(sampler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      assertThat(most.get()).as("instances of /rolling at most during the upgrade").isLessThanOrEqualTo(6);
      ChaosReport.LoadWindow w = load.since(mark);
      report.add("kill -9 of the leader mid-deployment", 1, List.of(ms), converge, w, "4 instances, new version: at most "
          + most.get() + " kept (bound 6), " + mostOnAgents.get() + " on agents with those draining");
      assertThat(w.failed()).as("requests failed through the lb:%s", load.failuresSince(mark)).isZero();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      sampler.shutdownNow();
    }
  }

  /**
   * One ZooKeeper server down (a follower: quorum kept), then the ZooKeeper leader (quorum lost: the
   * leading master must exit), then both back (a leader is elected, with the state as it was).
   */
  private void loseAndRegainZooKeeper() {
    Map<String, Set<String>> instances = new LinkedHashMap<>();
    acknowledged.keySet().forEach(id -> instances.put(id, v2Running(id)));

    int mark = load.mark();
    int zkLeader = zkLeader();
    int follower = (zkLeader + 1) % 3;
    int masterBefore = cluster.leaderIndex();
    long pidBefore = cluster.masterNode(masterBefore).pid();
    cluster.killZooKeeper(follower);
    // Quorum kept: the ensemble goes on serving, and some master leads throughout.
    await("two ZooKeeper servers serve").atMost(WAIT)
        .until(() -> !cluster.zooKeeperMode(zkLeader).isEmpty()
            && !cluster.zooKeeperMode((zkLeader + 2) % 3).isEmpty());
    // Longer than the ZooKeeper session (2 s) and the leader's suspension limit, told by the load's clock.
    int settled = load.mark();
    await("4 s of load after it").atMost(WAIT).until(() -> load.mark() >= settled + 4);
    await("a master leads").atMost(WAIT).until(() -> cluster.leadingNow().isPresent() && cluster.activeAgents() == 2);
    boolean sameLeader = cluster.leaderIndex() == masterBefore && cluster.masterNode(masterBefore).pid() == pidBefore;
    List<Integer> exited = restartExitedMasters();
    long convergeOne = awaitConverged();
    ChaosReport.LoadWindow one = load.since(mark);
    report.add("one ZooKeeper server killed (quorum kept)", 1, List.of(), convergeOne, one,
        sameLeader ? "the leading master kept leading" : "leader changed; masters exited: " + exited);
    System.out.printf("CHAOS-LOG zookeeper-%d (follower) killed: the leading master %s%n", follower + 1,
        sameLeader ? "kept leading" : "changed");

    // Quorum lost: the leading master cannot know it still leads and must stop.
    int mark2 = load.mark();
    int leaderNow = cluster.leaderIndex();
    MezzoCluster.Node leading = cluster.masterNode(leaderNow);
    cluster.killZooKeeper(zkLeader);
    await("the leading master exits").atMost(WAIT).until(() -> leading.exitCode().isPresent());
    assertThat(leading.exitCode().getAsInt()).as("master-%d's exit status", leaderNow + 1)
        .isEqualTo(LeaderElection.EXIT_LOST_LEADERSHIP);
    assertThat(cluster.leadingNow()).as("a master leading without a ZooKeeper quorum").isEmpty();
    // The data plane goes on without the control plane for a while.
    int quiet = load.mark();
    await("the load goes on without a quorum").atMost(WAIT).until(() -> load.since(quiet).sent() > 3 * RATE);
    assertThat(cluster.leadingNow()).as("a master leading without a ZooKeeper quorum").isEmpty();

    // Quorum regained: a leader again, the state as it was.
    long restartedAt = System.nanoTime();
    cluster.startZooKeeper(zkLeader);
    cluster.startZooKeeper(follower);
    await("a leader with both agents").atMost(WAIT).pollInterval(Duration.ofMillis(50))
        .until(() -> cluster.leadingNow().isPresent() && cluster.activeAgents() == 2);
    long recoveryMs = (System.nanoTime() - restartedAt) / 1_000_000;
    System.out.printf("CHAOS-LOG quorum regained: master-%d leads %d ms after the ZooKeeper servers restarted%n",
        cluster.leaderIndex() + 1, recoveryMs);
    List<Integer> restarted = restartExitedMasters();
    long converge = awaitConverged();
    instances.forEach((id, ids) -> assertThat(v2Running(id)).as("%s's instances after quorum loss", id).isEqualTo(ids));
    ChaosReport.LoadWindow two = load.since(mark2);
    report.add("ZooKeeper quorum lost and regained", 1, List.of(recoveryMs), converge, two,
        "time: ZooKeeper restart -> leader with both agents; masters exited: " + restarted);
    assertThat(load.since(mark).failed()).as("requests failed through the lb:%s", load.failuresSince(mark)).isZero();
  }

  /** Starts again (as a standby, as a supervisor would) every master whose process ended; their indexes. */
  private List<Integer> restartExitedMasters() {
    List<Integer> exited = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      if (!cluster.masterNode(i).isAlive()) {
        exited.add(i + 1);
        cluster.startMaster(i);
      }
    }
    return exited;
  }

  /** The index of the ensemble's ZooKeeper leader. */
  private int zkLeader() {
    return await("a ZooKeeper leader").atMost(WAIT).until(() -> {
      for (int i = 0; i < 3; i++) {
        if (cluster.zooKeeperMode(i).equals("leader")) {
          return i;
        }
      }
      return -1;
    }, i -> i >= 0);
  }

  /** Kills the load balancer's process and starts it again on its ports; it relearns every instance. */
  private void restartTheLoadBalancer() {
    int mark = load.mark();
    long killedAt = System.nanoTime();
    cluster.node("lb").kill9();
    cluster.startLoadBalancer(MezzoCluster.freeLoopbackPort(), lbAdminPort);
    await("the new lb routes to both instances").atMost(WAIT).pollInterval(Duration.ofMillis(50))
        .until(() -> lbBackends("/web:0") == 2);
    long ms = (System.nanoTime() - killedAt) / 1_000_000;
    int settled = load.mark();
    await("a few seconds of load after it").atMost(WAIT).until(() -> load.mark() >= settled + 3);
    ChaosReport.LoadWindow during = load.between(mark, settled + 1);
    long converge = awaitConverged();
    report.add("lb process killed and restarted", 1, List.of(ms), converge, during,
        "time: kill -> restarted lb routing to both instances; failures are TCP-level, in that window");
    System.out.printf("CHAOS-LOG lb restarted: routing again after %d ms; %d sent, %d failed:%s%n", ms,
        during.sent(), during.failed(), load.failuresSince(mark));
    assertThat(load.since(settled + 1).failed()).as("requests failed after the lb relearned its instances:%s",
        load.failuresSince(settled + 1)).isZero();
  }

  /** A sleeping app whose instances turn healthy a few seconds after they start; version {@code generation}. */
  private static String rollingApp(String generation) {
    return "{\"id\":\"/rolling\",\"cmd\":\"sleep 3 && touch ready && exec sleep 3600\",\"cpus\":0.05,\"mem\":16,"
        + "\"instances\":4,\"env\":{\"GENERATION\":\"" + generation + "\"},"
        + "\"healthChecks\":[{\"protocol\":\"COMMAND\",\"command\":{\"value\":\"test -f ready\"},"
        + "\"gracePeriodSeconds\":60,\"intervalSeconds\":1,\"timeoutSeconds\":2,\"maxConsecutiveFailures\":3,"
        + "\"delaySeconds\":0}],\"upgradeStrategy\":{\"minimumHealthCapacity\":1,\"maximumOverCapacity\":0.5}}";
  }

  private void create(String id, String spec) {
    V2Client.Answer a = v2().post("/v2/apps", spec);
    assertThat(a.status()).as("POST %s: %s", id, a).isEqualTo(201);
    acknowledged.put(id, spec);
  }

  /**
   * Waits until every acknowledged app is in {@code /v2/apps} with its spec, has no deployment, runs
   * as many instances as it asks for, and those are exactly the instances the agents run.
   */
  private long awaitConverged() {
    long from = System.nanoTime();
    await("every acknowledged app converges to its spec").atMost(CONVERGE).pollInterval(Duration.ofMillis(250))
        .ignoreExceptions().untilAsserted(() -> {
          JsonNode deployments = v2().get("/v2/deployments").json();
          assertThat(deployments).as("deployments").isEmpty();
          for (Map.Entry<String, String> e : acknowledged.entrySet()) {
            JsonNode spec = Json.MAPPER.readTree(e.getValue());
            V2Client.Answer a = v2().get("/v2/apps" + e.getKey());
            assertThat(a.status()).as("GET /v2/apps%s: %s", e.getKey(), a).isEqualTo(200);
            JsonNode app = a.json().path("app");
            for (String field : List.of("cmd", "instances", "env", "cpus", "mem")) {
              JsonNode want = spec.path(field);
              JsonNode got = app.path(field);
              if (want.isNumber()) {
                assertThat(got.asDouble()).as("%s's %s", e.getKey(), field).isEqualTo(want.asDouble());
              } else if (!want.isMissingNode()) {
                assertThat(got).as("%s's %s", e.getKey(), field).isEqualTo(want);
              }
            }
            Set<String> running = v2Running(e.getKey());
            assertThat(running).as("%s's running instances", e.getKey()).hasSize(spec.path("instances").asInt());
            assertThat(new HashSet<>(agentTasks(e.getKey().substring(1)))).as("what the agents run of %s", e.getKey())
                .isEqualTo(running);
          }
        });
    return (System.nanoTime() - from) / 1_000_000;
  }

  /** The ids of the app's instances the services API reports TASK_RUNNING. */
  private Set<String> v2Running(String appId) {
    Set<String> ids = new HashSet<>();
    for (JsonNode t : v2().get("/v2/apps" + appId + "/tasks").json().path("tasks")) {
      if (t.path("state").asText().equals("TASK_RUNNING")) {
        ids.add(t.path("id").asText());
      }
    }
    return ids;
  }

  /** The ids of the tasks of app {@code name} (no slash) the agents run or are starting or killing: the truth. */
  private List<String> agentTasks(String name) {
    List<String> ids = new ArrayList<>();
    for (int port : agentPorts) {
      JsonNode state = get(port, "/state");
      for (JsonNode t : state.path("tasks")) {
        if (t.path("id").asText().startsWith(name + ".") && LIVE.contains(t.path("state").asText())) {
          ids.add(t.path("id").asText());
        }
      }
    }
    return ids;
  }

  /** How many backends the load balancer's {@code /stats} lists for {@code route}. */
  private int lbBackends(String route) {
    try {
      return get(lbAdminPort, "/stats").path("routes").path(route).path("backends").size();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  private JsonNode get(int port, String path) {
    try {
      JsonClient.Reply r = http.get(URI.create("http://127.0.0.1:" + port + path)).get(5, TimeUnit.SECONDS);
      if (!r.ok()) {
        throw new IllegalStateException("GET :" + port + path + ": HTTP " + r.status());
      }
      return Json.MAPPER.readTree(r.body());
    } catch (Exception e) {
      throw new IllegalStateException("GET :" + port + path + ": " + e, e);
    }
  }
}
