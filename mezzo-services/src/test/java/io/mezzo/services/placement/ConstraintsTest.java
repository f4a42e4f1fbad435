package io.mezzo.services.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.services.app.Constraint;
import io.mezzo.services.app.Operator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConstraintsTest {
  private static final AgentView A1 = new AgentView("a1.example", Map.of("rack", "r1", "os", "linux"));
  private static final AgentView A2 = new AgentView("a2.example", Map.of("rack", "r1"));
  private static final AgentView B1 = new AgentView("b1.example", Map.of("rack", "r2"));

  private static boolean fits(Constraint c, AgentView candidate, AgentView... placed) {
    return Constraints.evaluate(List.of(c), candidate, List.of(placed)).accepted();
  }

  @Test
  void uniqueRefusesAValueAlreadyUsed() {
    Constraint unique = new Constraint("hostname", Operator.UNIQUE, null);
    assertThat(fits(unique, A1)).isTrue();
    assertThat(fits(unique, A1, A1)).isFalse();
    assertThat(fits(unique, A2, A1)).isTrue();
    assertThat(fits(new Constraint("rack", Operator.UNIQUE, null), A2, A1)).isFalse();
  }

  @Test
  void clusterWithValueNeedsThatValue() {
    Constraint cluster = new Constraint("rack", Operator.CLUSTER, "r2");
    assertThat(fits(cluster, B1)).isTrue();
    assertThat(fits(cluster, A1)).isFalse();
  }

  @Test
  void clusterWithoutValueFollowsTheFirstInstance() {
    Constraint cluster = new Constraint("rack", Operator.CLUSTER, null);
    assertThat(fits(cluster, B1)).isTrue();
    assertThat(fits(cluster, A2, A1)).isTrue();
    assertThat(fits(cluster, B1, A1)).isFalse();
  }

  @Test
  void groupByAcceptsNewGroupsAndTheSmallestOne() {
    Constraint groupBy = new Constraint("rack", Operator.GROUP_BY, "2");
    assertThat(fits(groupBy, A1)).isTrue();
    assertThat(fits(groupBy, A2, A1)).as("r1 used while r2 is still empty").isFalse();
    assertThat(fits(groupBy, B1, A1)).isTrue();
    assertThat(fits(groupBy, A2, A1, B1)).as("both groups hold one").isTrue();
    assertThat(fits(groupBy, B1, A1, A2, B1)).isTrue();
    assertThat(fits(groupBy, A1, A1, A2, B1)).isFalse();
  }

  @Test
  void groupByWithoutCountSpreadsOnlyOverGroupsAlreadySeen() {
    // Marathon's semantics: with no count, a group that is the only one in use is also the smallest.
    Constraint groupBy = new Constraint("rack", Operator.GROUP_BY, null);
    assertThat(fits(groupBy, A2, A1)).isTrue();
    assertThat(fits(groupBy, A2, A1, A2, B1)).isFalse();
  }

  @Test
  void likeAndUnlikeMatchTheWholeValue() {
    assertThat(fits(new Constraint("hostname", Operator.LIKE, "a.*"), A1)).isTrue();
    assertThat(fits(new Constraint("hostname", Operator.LIKE, "a1"), A1)).as("partial match").isFalse();
    assertThat(fits(new Constraint("hostname", Operator.UNLIKE, "b.*"), A1)).isTrue();
    assertThat(fits(new Constraint("hostname", Operator.UNLIKE, "b.*"), B1)).isFalse();
  }

  @Test
  void maxPerCountsInstancesPerValue() {
    Constraint maxPer = new Constraint("rack", Operator.MAX_PER, "2");
    assertThat(fits(maxPer, A1, A2)).isTrue();
    assertThat(fits(maxPer, A1, A2, A1)).isFalse();
    assertThat(fits(maxPer, B1, A2, A1)).isTrue();
  }

  @Test
  void isNeedsTheExactValue() {
    assertThat(fits(new Constraint("os", Operator.IS, "linux"), A1)).isTrue();
    assertThat(fits(new Constraint("os", Operator.IS, "windows"), A1)).isFalse();
  }

  @Test
  void missingAttributeFailsAllButUnlike() {
    for (Operator op : Operator.values()) {
      String value = switch (op) {
        case UNIQUE -> null;
        case GROUP_BY, MAX_PER -> "1";
        default -> "linux";
      };
      assertThat(fits(new Constraint("os", op, value), B1)).as(op.name()).isEqualTo(op == Operator.UNLIKE);
    }
  }

  @Test
  void refusalExplainsEveryUnmetConstraint() {
    Decision d = Constraints.evaluate(List.of(
            new Constraint("hostname", Operator.UNIQUE, null),
            new Constraint("rack", Operator.IS, "r2"),
            new Constraint("hostname", Operator.LIKE, "a.*")),
        A1, List.of(A1));

    assertThat(d.accepted()).isFalse();
    assertThat(d.reasons()).containsExactly(
        "a1.example: [hostname, UNIQUE] not met: hostname a1.example already runs an instance",
        "a1.example: [rack, IS, r2] not met: rack is r1, not r2");
  }

  @Test
  void noConstraintsAcceptAnyAgent() {
    assertThat(Constraints.evaluate(List.of(), B1, List.of(B1, B1))).isEqualTo(Decision.ACCEPT);
  }
}
