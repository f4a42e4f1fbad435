package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.master.Master;
import io.mezzo.master.MasterConfig;
import io.mezzo.master.registry.EmbeddedZooKeeper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's {@code --master} forms against real masters (in this JVM) sharing a chrooted ZooKeeper. */
class MasterOptionTest {
  @TempDir
  Path dir;

  EmbeddedZooKeeper zk;
  final List<Master> masters = new ArrayList<>();

  @BeforeEach
  void start() {
    zk = EmbeddedZooKeeper.start(dir.resolve("zk"), 0);
    for (int i = 0; i < 2; i++) {
      MasterConfig config = new MasterConfig("127.0.0.1", 0, dir.resolve("m" + i), zk.connectString() + "/ha",
          "127.0.0.1", Duration.ofSeconds(5), 3, Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1))
          .withFailover(Duration.ofMinutes(10), Duration.ofSeconds(2));
      masters.add(Master.start(config, b -> { }, why -> { }));
    }
  }

  @AfterEach
  void stop() {
    masters.forEach(Master::close);
    zk.close();
  }

  private String leader() {
    return "127.0.0.1:" + masters.stream().filter(Master::isLeader).findFirst().orElseThrow().port();
  }

  @Test
  void zkFormReadsTheLeaderFromTheChroot() throws Exception {
    assertThat(MasterOption.leader("zk://" + zk.connectString() + "/ha")).isEqualTo(leader());
  }

  @Test
  void aListIsAskedWhoLeadsPastADeadMaster() throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    String standby = "127.0.0.1:" + masters.stream().filter(m -> !m.isLeader()).findFirst().orElseThrow().port();

    assertThat(MasterOption.leader("127.0.0.1:" + dead + "," + standby)).isEqualTo(leader());
  }

  @Test
  void malformedValuesExitTwoNamingTheFlag() {
    assertThatThrownBy(() -> MasterOption.leader("zk://"))
        .isInstanceOfSatisfying(CliFailure.class, f -> assertThat(f.exitCode()).isEqualTo(2))
        .hasMessageStartingWith("--master: 'zk://'");
    assertThatThrownBy(() -> MasterOption.leader("m1:5050,m2"))
        .isInstanceOfSatisfying(CliFailure.class, f -> assertThat(f.exitCode()).isEqualTo(2))
        .hasMessageContaining("expected: HOST:PORT[,HOST:PORT...] or zk://");
  }

  @Test
  void noLeaderInAnEmptyChrootIsAFailure() throws IOException {
    assertThatThrownBy(() -> MasterOption.leader("zk://" + zk.connectString() + "/nobody"))
        .isInstanceOfSatisfying(CliFailure.class, f -> assertThat(f.exitCode()).isEqualTo(1))
        .hasMessageContaining("no leading master is elected");
  }

  @Test
  void theServicesSchedulerSubscribesToTheLeaderItFindsInZooKeeper() throws Exception {
    io.mezzo.core.http.JsonClient http = new io.mezzo.core.http.JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10));
    try (ServicesHost host = new ServicesHost()) { // what mezzo services --master zk://... runs

      host.start("zk://" + zk.connectString() + "/ha", zk.connectString(), "127.0.0.1:1");

      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> io.mezzo.core.json.Json.MAPPER
          .readTree(http.get(java.net.URI.create("http://" + leader() + "/master/state")).join().body())
          .path("frameworks").size() == 1);
    }
  }
}
