package io.mezzo.agent.ports;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.model.Resources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure port decision: inside the agent's ranges, distinct, and not held by another live task. */
class PortCheckTest {
  final PortCheck check = new PortCheck(Resources.parse("cpus:1;ports:[31000-31002,32000-32000]"));

  @Test
  void portsInsideTheRangesAndFreeAreAccepted() {
    assertThat(check.problem(List.of(31002L, 32000L),
        Map.of("other", List.of(31000L)))).isEmpty();
    assertThat(check.problem(List.of(), Map.of("other", List.of(31000L)))).isEmpty();
  }

  @Test
  void aPortBetweenTheRangesIsRefused() {
    assertThat(check.problem(List.of(31500L), Map.of()))
        .contains("resources.ports: 31500 (expected: a port in this agent's ranges [31000-31002, 32000-32000])");
  }

  @Test
  void anAgentWithoutPortsRefusesEveryPort() {
    assertThat(new PortCheck(Resources.parse("cpus:1")).problem(List.of(31000L), Map.of())).isPresent();
  }

  @Test
  void aHeldPortIsRefusedNamingItsHolder() {
    assertThat(check.problem(List.of(31001L), Map.of("web", List.of(31001L))))
        .contains("resources.ports: 31001 is held by task 'web' (expected: a port no live task on this agent holds)");
  }
}
