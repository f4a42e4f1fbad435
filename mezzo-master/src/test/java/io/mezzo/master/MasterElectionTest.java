package io.mezzo.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.agentapi.AgentCall;
import io.mezzo.core.agentapi.AgentEvent;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.json.Json;
import io.mezzo.core.model.AgentInfo;
import io.mezzo.core.model.Resources;
import io.mezzo.master.ha.LeaderElection;
import io.mezzo.master.registry.EmbeddedZooKeeper;
import io.mezzo.master.registry.ZkStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Masters sharing one (embedded) ZooKeeper in this JVM, on real sockets: one leads, the others stand
 * by and redirect, and one of them takes over when the leader leaves.
 */
class MasterElectionTest {
  @TempDir
  Path dir;

  EmbeddedZooKeeper zk;
  final List<Master> masters = new ArrayList<>();
  final List<String> lost = new CopyOnWriteArrayList<>();
  final JsonClient http = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10));

  @BeforeEach
  void startZooKeeper() {
    zk = EmbeddedZooKeeper.start(dir.resolve("zk"), 0);
  }

  @AfterEach
  void stop() {
    masters.forEach(Master::close);
    zk.close();
  }

  private Master startMaster(int n) {
    MasterConfig config = new MasterConfig("127.0.0.1", 0, dir.resolve("m" + n), zk.connectString(), "127.0.0.1",
        Duration.ofMillis(200), 5, Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(1))
        .withFailover(Duration.ofMinutes(10), Duration.ofSeconds(2));
    Master m = Master.start(config, b -> { }, lost::add);
    masters.add(m);
    return m;
  }

  private JsonClient.Reply get(Master m, String pathAndQuery) {
    return http.get(URI.create("http://127.0.0.1:" + m.port() + pathAndQuery)).join();
  }

  private JsonNode state(Master m) throws Exception {
    JsonClient.Reply r = get(m, "/master/state");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return Json.MAPPER.readTree(r.body());
  }

  @Test
  void aSingleMasterElectsItselfBeforeStartReturns() throws Exception {
    Master m = startMaster(1);

    assertThat(m.isLeader()).isTrue();
    JsonNode state = state(m);
    assertThat(state.path("leader").asText()).isEqualTo("master@127.0.0.1:" + m.port());
    assertThat(state.path("leader_info").path("port").asInt()).isEqualTo(m.port());
    assertThat(state.path("elected_time").asDouble()).isPositive();
  }

  @Test
  void standbyRedirectsEveryApiToTheLeader() throws Exception {
    Master leader = startMaster(1);
    Master standby = startMaster(2);

    assertThat(standby.isLeader()).isFalse();
    assertThat(standby.elected()).isNotDone();
    String location = "//127.0.0.1:" + leader.port();
    JsonClient.Reply scheduler = get(standby, "/api/v1/scheduler");
    assertThat(scheduler.status()).isEqualTo(307);
    assertThat(scheduler.headers().get("location")).isEqualTo(location + "/api/v1/scheduler");
    JsonClient.Reply events = get(standby, "/v2/events?event_type=deployment_info");
    assertThat(events.status()).isEqualTo(307);
    assertThat(events.headers().get("location")).isEqualTo(location + "/v2/events?event_type=deployment_info");
    assertThat(get(standby, "/redirect").headers().get("location")).isEqualTo(location);
    AgentInfo info = new AgentInfo(null, "127.0.0.1", 5051, Resources.parse("cpus:1;mem:128").toList());
    JsonClient.Reply subscribe = http.post(URI.create("http://127.0.0.1:" + standby.port() + "/api/v1/agent"),
        AgentCall.subscribe(info, List.of()), Map.of()).join();
    assertThat(subscribe.status()).isEqualTo(307);
    assertThat(subscribe.headers().get("location")).isEqualTo(location + "/api/v1/agent");
    JsonNode standbyState = state(standby);
    assertThat(standbyState.path("leader").asText()).isEqualTo("master@127.0.0.1:" + leader.port());
    assertThat(standbyState.has("elected_time")).isFalse();
    assertThat(get(standby, "/health").status()).isEqualTo(200);
  }

  @Test
  void aStandbyTakesOverWithTheLeadersAgentsWhenTheLeaderLeaves() throws Exception {
    Master first = startMaster(1);
    List<AgentEvent> events = new CopyOnWriteArrayList<>();
    AgentInfo info = new AgentInfo(null, "127.0.0.1", 5051, Resources.parse("cpus:1;mem:128").toList());
    try (JsonClient.Subscription agent = http.subscribe(URI.create("http://127.0.0.1:" + first.port() + "/api/v1/agent"),
        AgentCall.subscribe(info, List.of()), Map.of(), AgentEvent.class, events::add, cause -> { })) {
      assertThat(agent.isOpen()).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(e -> e.type() == AgentEvent.Type.SUBSCRIBED));
    }
    Master second = startMaster(2);
    Master third = startMaster(3);
    assertThat(second.isLeader() || third.isLeader()).isFalse();

    first.close(); // its election node goes at once

    await().atMost(Duration.ofSeconds(20)).until(() -> second.isLeader() || third.isLeader());
    Master leader = second.isLeader() ? second : third;
    Master standby = leader == second ? third : second;
    JsonNode state = state(leader);
    assertThat(state.path("elected_time").asDouble()).isPositive();
    // the agent admitted by the first leader is known and waits for its reregistration, not unreachable
    // (well past the 1 s heartbeat timeout)
    assertThat(state.path("slaves")).hasSize(1);
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
        .until(() -> state(leader).path("deactivated_slaves").asInt() == 1);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(get(standby, "/api/v1/scheduler").headers().get("location"))
            .isEqualTo("//127.0.0.1:" + leader.port() + "/api/v1/scheduler"));
    assertThat(lost).isEmpty();
  }

  @Test
  void theLeaderReportsLostLeadershipWhenItsSessionGoes() throws Exception {
    Master leader = startMaster(1);
    assertThat(leader.isLeader()).isTrue();

    zk.close(); // the connection is suspended, then the session is lost

    await().atMost(Duration.ofSeconds(20)).until(() -> !lost.isEmpty());
    assertThat(lost.get(0)).contains("ZooKeeper");
    zk = EmbeddedZooKeeper.start(dir.resolve("zk2"), 0);
  }

  @Test
  void theLeaderAddressIsReadableFromZooKeeper() throws Exception {
    Master leader = startMaster(1);
    startMaster(2);
    try (ZkStore reader = ZkStore.connect(zk.connectString(), 10_000)) {
      assertThat(LeaderElection.readLeader(reader.curator())).contains("127.0.0.1:" + leader.port());
    }
  }

  @Test
  void aZkDetectorFromTheServiceLoaderFollowsTheLeaderAcrossATakeover() throws Exception {
    Master first = startMaster(1);
    Master second = startMaster(2);
    try (io.mezzo.core.ha.MasterDetector detector = io.mezzo.core.ha.MasterDetector.of("zk://" + zk.connectString())) {
      assertThat(detector).isInstanceOf(io.mezzo.master.ha.ZkMasterDetector.class);
      assertThat(detector.only()).isEmpty();
      assertThat(detector.detect()).contains("127.0.0.1:" + first.port());

      first.close();

      await().atMost(Duration.ofSeconds(20)).until(second::isLeader);
      assertThat(detector.detect()).contains("127.0.0.1:" + second.port());
    }
  }

  @Test
  void aZkDetectorOnAnotherChrootFindsNoLeader() throws Exception {
    startMaster(1);
    try (io.mezzo.core.ha.MasterDetector detector = io.mezzo.core.ha.MasterDetector.of("zk://" + zk.connectString() + "/elsewhere")) {
      assertThat(detector.detect()).isEmpty();
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.mezzo.core.ha.MasterDetector.of("zk:///mezzo"))
        .hasMessageContaining("'zk:///mezzo'").hasMessageContaining("expected: zk://HOST:PORT");
  }

  @Test
  void aStandbyTakingOverNeverRefusesAConnection() throws Exception {
    Master first = startMaster(1);
    Master second = startMaster(2);
    java.util.concurrent.atomic.AtomicBoolean hammering = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
    List<String> failures = new CopyOnWriteArrayList<>();
    Thread hammer = new Thread(() -> {
      byte[] get = "GET /health HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      while (hammering.get()) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", second.port())) { // a new connection each time
          s.setSoTimeout(5_000);
          s.getOutputStream().write(get);
          String status = new String(s.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
          if (status.equals("HTTP/1.1 200")) {
            answered.incrementAndGet();
          } else {
            failures.add("answered '" + status + "'");
          }
        } catch (java.io.IOException e) {
          failures.add(e.toString());
        }
      }
    }, "hammer");
    hammer.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> answered.get() > 10);

    first.close(); // the second takes over: its server swaps the standby's routes for the leader's

    await().atMost(Duration.ofSeconds(20)).until(second::isLeader);
    int atElection = answered.get();
    await().atMost(Duration.ofSeconds(10)).until(() -> answered.get() > atElection + 10);
    hammering.set(false);
    hammer.join(10_000);
    assertThat(failures).isEmpty();
    assertThat(get(second, "/master/state").body()).contains("elected_time");
  }
}
