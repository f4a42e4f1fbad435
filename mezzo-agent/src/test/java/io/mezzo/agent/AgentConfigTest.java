package io.mezzo.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Configuration is checked when built and names what is wrong. */
class AgentConfigTest {
  private final AgentConfig ok = AgentConfig.defaults("127.0.0.1:5050", Path.of("work"));

  @Test
  void defaultsAreLoopbackEphemeralAndDetected() {
    assertThat(ok.bindHost()).isEqualTo("127.0.0.1");
    assertThat(ok.port()).isZero();
    assertThat(ok.resources()).isNull();
    assertThat(ok.hostname()).isEqualTo("127.0.0.1");
    assertThat(ok.statusRetryInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(ok.killGracePeriod()).isEqualTo(Duration.ofSeconds(3));
    assertThat(ok.workDir()).isAbsolute();
  }

  @Test
  void badValuesAreRejectedWithWhatWasExpected() {
    assertThatThrownBy(() -> ok.withPort(-1)).hasMessage("port: -1 (expected: 0..65535)");
    assertThatThrownBy(() -> ok.withPort(70000)).hasMessage("port: 70000 (expected: 0..65535)");
    assertThatThrownBy(() -> ok.withKillGracePeriod(Duration.ofSeconds(-1)))
        .hasMessage("killGracePeriod: PT-1S (expected: >= 0)");
    assertThatThrownBy(() -> ok.withStatusRetryInterval(Duration.ZERO))
        .hasMessage("statusRetryInterval: PT0S (expected: >= 1 ms)");
    assertThatThrownBy(() -> AgentConfig.defaults("localhost", Path.of("w")))
        .hasMessageStartingWith("masterHostPort: 'localhost' (expected: HOST:PORT");
    assertThatThrownBy(() -> AgentConfig.defaults("h:0", Path.of("w")))
        .hasMessageStartingWith("masterHostPort: 'h:0'");
    assertThatThrownBy(() -> AgentConfig.defaults("h:1", null))
        .hasMessage("workDir: missing (expected: a directory for sandboxes)");
  }

  @Test
  void aZkMasterIsCheckedByItsDetectorWhichThisModuleDoesNotCarry() {
    // mezzo-agent does not depend on the master module: the mezzo jar brings the zk:// detector
    assertThatThrownBy(() -> AgentConfig.defaults("zk://127.0.0.1:2181/mezzo", Path.of("w")))
        .hasMessageStartingWith("masterHostPort: 'zk://127.0.0.1:2181/mezzo' (expected: HOST:PORT[,HOST:PORT...];")
        .hasMessageContaining("zk:// needs the master module on the class path");
  }

  @Test
  void missingHostnameFollowsTheBindAddress() {
    AgentConfig c = new AgentConfig("m:5050", "10.0.0.7", 5051, Path.of("/w"), null, null, null, null, null);
    assertThat(c.hostname()).isEqualTo("10.0.0.7");
    assertThat(c.statusRetryInterval()).isEqualTo(AgentConfig.DEFAULT_STATUS_RETRY_INTERVAL);
    assertThat(new AgentConfig("m:5050", "0.0.0.0", 5051, Path.of("/w"), null, null, null, null, null).hostname())
        .isEqualTo("127.0.0.1");
  }
}
