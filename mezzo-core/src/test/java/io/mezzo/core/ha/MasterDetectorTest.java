package io.mezzo.core.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The detector against real HTTP servers playing a leader, standbys, a dead master and a non-master. */
class MasterDetectorTest {
  final List<HttpServer> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(HttpServer::close);
  }

  /** A server answering {@code GET /redirect} with {@code status} and, when given, {@code Location: //location}. */
  private String server(int status, String location) {
    HttpServer s = HttpServer.builder().route("GET", "/redirect", io.mezzo.core.auth.Access.PUBLIC, req -> CompletableFuture.completedFuture(
        new HttpResponse(status, HttpResponse.TEXT, new byte[0],
            location == null ? Map.of() : Map.of("Location", "//" + location), null))).bind("127.0.0.1", 0).start();
    servers.add(s);
    return "127.0.0.1:" + s.port();
  }

  /** A leader: its /redirect names itself, as the master's does. */
  private String leader() {
    int port = freePort();
    HttpServer s = HttpServer.builder().route("GET", "/redirect", io.mezzo.core.auth.Access.PUBLIC, req -> CompletableFuture.completedFuture(
        new HttpResponse(307, HttpResponse.TEXT, new byte[0], Map.of("Location", "//127.0.0.1:" + port), null)))
        .bind("127.0.0.1", port).start();
    servers.add(s);
    return "127.0.0.1:" + port;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aStandbyNamesTheLeaderPastADeadMaster() throws Exception {
    String leader = leader();
    String dead = "127.0.0.1:" + freePort();
    String undecided = server(503, null);
    String standby = server(307, leader);

    MasterDetector detector = MasterDetector.of(dead + "," + undecided + "," + standby);

    assertThat(detector.detect()).contains(leader);
  }

  @Test
  void theLeaderNamesItself() throws Exception {
    String leader = leader();

    assertThat(MasterDetector.of(leader).detect()).contains(leader);
  }

  @Test
  void aServerThatIsNoMasterIsTakenAsItIs() throws Exception {
    HttpServer plain = HttpServer.builder().bind("127.0.0.1", 0).start(); // 404 to /redirect
    servers.add(plain);

    assertThat(MasterDetector.of("127.0.0.1:" + plain.port()).detect()).contains("127.0.0.1:" + plain.port());
  }

  @Test
  void noLeaderWhenNoMasterAnswers() throws Exception {
    String undecided = server(503, null);

    assertThat(MasterDetector.of(undecided + ",127.0.0.1:" + freePort()).detect()).isEmpty();
  }

  @Test
  void aBadElementIsNamed() {
    assertThatThrownBy(() -> MasterDetector.of("127.0.0.1:5050,zk://h:2181/mezzo"))
        .hasMessageContaining("'zk://h:2181/mezzo'")
        .hasMessageContaining("expected: HOST:PORT[,HOST:PORT...]");
  }

  @Test
  void aZkSpecWithoutAFactoryOnTheClassPathSaysWhatItNeeds() {
    assertThatThrownBy(() -> MasterDetector.of("zk://h:2181/mezzo"))
        .hasMessageContaining("'zk://h:2181/mezzo'")
        .hasMessageContaining("zk:// needs the master module on the class path");
  }

  @Test
  void aSingleMasterIsTakenWithoutDetection() {
    assertThat(MasterDetector.of("127.0.0.1:5050").only()).contains("127.0.0.1:5050");
    assertThat(MasterDetector.of("127.0.0.1:5050,127.0.0.1:5051").only()).isEmpty();
  }

  @Test
  void locationsGiveTheirHostAndPort() {
    assertThat(MasterDetector.hostPortOf("//10.0.0.2:5050/api/v1/scheduler")).contains("10.0.0.2:5050");
    assertThat(MasterDetector.hostPortOf("http://m2:5050")).contains("m2:5050");
    assertThat(MasterDetector.hostPortOf("/relative")).isEmpty();
  }
}
