package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.FrameworkInfo;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.scheduler.Call;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.TestFramework;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Roles on a real cluster (a master and two agents of 2 cpus each, as processes): dynamic
 * reservations through RESERVE/UNRESERVE, and quota guarantees set with the operator API.
 */
class RolesClusterTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  MezzoCluster cluster;
  final JsonClient http = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10));

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static FrameworkInfo inRole(String name, String role) {
    return new FrameworkInfo(io.mezzo.testkit.TestFramework.USER, name, null, 3600.0, false, null, List.of(role), null, null, null,
        List.of(new FrameworkInfo.Capability("MULTI_ROLE")));
  }

  @Test
  void dynamicReservationIsOfferedOnlyToItsRoleUntilUnreserved() {
    cluster = MezzoCluster.builder(dir).agents(1).start();
    try (TestFramework eng = TestFramework.subscribe(cluster.masterAddress(), inRole("eng-fw", "eng"))) {
      Offer offer = eng.awaitOffer();
      assertThat(offer.allocationInfo().role()).isEqualTo("eng");
      Resources toReserve = Resources.parse("cpus:1;mem:128").reserve("eng");
      assertThat(eng.send(accept(eng, offer, new Call.Operation(Call.OperationType.RESERVE, null, null,
          new Call.Reserve(toReserve.toList()), null)))).isEqualTo(202);

      Offer reserved = eng.awaitOffer(o -> Resources.of(o.resources()).reservedTo("eng").scalar("cpus") == 1.0);
      await("state shows the reservation").atMost(TIMEOUT).until(() -> agentState(offer.agentId())
          .path("reserved_resources").path("eng").path("cpus").asDouble() == 1.0);

      // Another role is never offered the reserved part.
      try (TestFramework other = TestFramework.subscribe(cluster.masterAddress(), inRole("other-fw", "other"))) {
        eng.send(Call.of(eng.id(), Call.Type.SUPPRESS));
        eng.send(accept(eng, reserved)); // give everything back
        Offer forOther = other.awaitOffer();
        assertThat(Resources.of(forOther.resources()).reserved().isEmpty()).isTrue();
        assertThat(Resources.of(forOther.resources()).scalar("cpus")).isEqualTo(1.0);
        other.declineAll(3600);
      }
      eng.send(Call.of(eng.id(), Call.Type.REVIVE));

      // The reserved cpus run a task of the role.
      Offer again = eng.awaitOffer(o -> Resources.of(o.resources()).reservedTo("eng").scalar("cpus") == 1.0);
      TaskId task = new TaskId("on-reserved");
      Resources needs = Resources.parse("cpus:0.5;mem:64").reserve("eng");
      eng.launch(again, new TaskInfo(task.value(), task, null, needs.toList(), CommandInfo.shell("sleep 1000"),
          null, null, null));
      eng.awaitState(task, TaskState.TASK_RUNNING, TIMEOUT);
      eng.kill(task, again.agentId());
      eng.awaitState(task, TaskState.TASK_KILLED, TIMEOUT);

      // The freed half comes back in an offer of its own: unreserve across all offers of the agent.
      await("all reserved cpus offered").atMost(TIMEOUT).until(() -> reservedCpus(eng.outstandingOffers()) == 1.0);
      List<Offer> last = eng.outstandingOffers();
      Resources reservedNow = Resources.EMPTY;
      for (Offer o : last) {
        reservedNow = reservedNow.plus(Resources.of(o.resources()).reservedTo("eng"));
      }
      Call unreserve = new Call(eng.id(), Call.Type.ACCEPT, null, new Call.Accept(
          last.stream().map(Offer::id).toList(), List.of(new Call.Operation(Call.OperationType.UNRESERVE, null, null,
              null, new Call.Unreserve(reservedNow.toList()))), new Call.Filters(0.0)),
          null, null, null, null, null, null);
      assertThat(eng.send(unreserve)).isEqualTo(202);
      await("reservation gone").atMost(TIMEOUT).until(() -> agentState(offer.agentId())
          .path("reserved_resources").path("eng").isMissingNode());
      Offer plain = eng.awaitOffer(o -> Resources.of(o.resources()).scalar("cpus") == 2.0);
      assertThat(Resources.of(plain.resources()).reserved().isEmpty()).isTrue();
    }
  }

  @Test
  void quotaGuaranteeIsOfferedToItsRoleBeforeOthers() {
    cluster = MezzoCluster.builder(dir).agents(2).start();
    Map<String, Object> quota = Map.of("type", "UPDATE_QUOTA", "update_quota", Map.of("quota_configs",
        List.of(Map.of("role", "prod", "guarantees", Map.of("cpus", Map.of("value", 3))))));
    assertThat(http.post(URI.create("http://" + cluster.masterAddress() + "/api/v1"), quota, Map.of())
        .join().status()).isEqualTo(200);

    // dev subscribes first and hoards every offer it gets; prod arrives later and must still get its 3 cpus.
    try (TestFramework dev = TestFramework.subscribe(cluster.masterAddress(), inRole("dev-fw", "dev"))) {
      await("dev holds some offer").atMost(TIMEOUT).until(() -> !dev.outstandingOffers().isEmpty());
      try (TestFramework prod = TestFramework.subscribe(cluster.masterAddress(), inRole("prod-fw", "prod"))) {
        dev.declineAll(0);
        await("prod offered its guarantee").atMost(TIMEOUT).until(() -> offeredCpus(prod) >= 3.0);
        assertThat(offeredCpus(dev)).isLessThanOrEqualTo(1.0);
      }
    }
  }

  private static double reservedCpus(List<Offer> offers) {
    double sum = 0;
    for (Offer o : offers) {
      sum += Resources.of(o.resources()).reservedTo("eng").scalar("cpus");
    }
    return sum;
  }

  private static double offeredCpus(TestFramework fw) {
    double sum = 0;
    for (Offer o : fw.outstandingOffers()) {
      sum += Resources.of(o.resources()).scalar("cpus");
    }
    return sum;
  }

  private static Call accept(TestFramework fw, Offer offer, Call.Operation... ops) {
    return new Call(fw.id(), Call.Type.ACCEPT, null,
        new Call.Accept(List.of(offer.id()), List.of(ops), new Call.Filters(0.0)), null, null, null, null, null, null);
  }

  private JsonNode agentState(AgentId id) {
    for (JsonNode s : cluster.masterState().path("slaves")) {
      if (s.path("id").asText().equals(id.value())) {
        return s;
      }
    }
    throw new AssertionError("no agent " + id);
  }
}
