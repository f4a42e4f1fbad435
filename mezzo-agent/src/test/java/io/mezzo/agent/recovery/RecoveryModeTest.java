package io.mezzo.agent.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code --recover} accepts Mesos's two words and names the flag and the choices otherwise. */
class RecoveryModeTest {
  @Test
  void reconnectAndCleanupAreAcceptedInAnyCase() {
    assertThat(RecoveryMode.parse("reconnect")).isEqualTo(RecoveryMode.RECONNECT);
    assertThat(RecoveryMode.parse("CLEANUP")).isEqualTo(RecoveryMode.CLEANUP);
  }

  @Test
  void anythingElseIsRefusedNamingTheExpectedValues() {
    assertThatThrownBy(() -> RecoveryMode.parse("kill"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("recover: 'kill' (expected: reconnect or cleanup)");
  }
}
