package io.mezzo.agent.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.core.json.Json;
import io.mezzo.core.model.CheckInfo;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.HealthCheck;
import io.mezzo.core.model.TaskInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Health checks and checks as Mesos JSON describes them: defaults, and errors that name the field. */
class ProbeSpecTest {
  @Test
  void mesosJsonHealthCheckAndCheckAreReadWithTheMesosDefaults() {
    String json = """
        {"name":"web","task_id":{"value":"web"},"command":{"value":"serve"},
         "health_check":{"type":"HTTP","http":{"port":8080,"path":"/health"},"interval_seconds":2,
                         "consecutive_failures":5},
         "check":{"type":"COMMAND","command":{"command":{"value":"test -f ready"}},"delay_seconds":0}}""";
    TaskInfo task = Json.read(json.getBytes(StandardCharsets.UTF_8), TaskInfo.class);

    ProbeSpec health = ProbeSpec.of(task.healthCheck());
    assertThat(health).isEqualTo(new ProbeSpec("health_check", CheckInfo.Type.HTTP, 8080, "http", "/health", null,
        Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofSeconds(20), 5, Duration.ofSeconds(10)));
    ProbeSpec check = ProbeSpec.of(task.check());
    assertThat(check.type()).isEqualTo(CheckInfo.Type.COMMAND);
    assertThat(check.command().value()).isEqualTo("test -f ready");
    assertThat(check.delay()).isZero();
    assertThat(check.isHealthCheck()).isFalse();
    assertThat(TaskChecks.problem(task)).isNull();
  }

  @Test
  void badFieldsAreNamedWithWhatWasExpected() {
    assertThatThrownBy(() -> ProbeSpec.of(new HealthCheck(CheckInfo.Type.HTTP, new HealthCheck.Http(0, "/", null, null),
        null, null, null, null, null, null, null)))
        .hasMessage("health_check.http.port: 0 (expected: 1..65535)");
    assertThatThrownBy(() -> ProbeSpec.of(new HealthCheck(CheckInfo.Type.HTTP, new HealthCheck.Http(80, "/", "ftp", null),
        null, null, null, null, null, null, null)))
        .hasMessage("health_check.http.scheme: 'ftp' (expected: http or https)");
    assertThatThrownBy(() -> ProbeSpec.of(new HealthCheck(CheckInfo.Type.TCP, null, new HealthCheck.Tcp(80),
        null, null, -1.0, null, null, null)))
        .hasMessage("health_check.interval_seconds: -1.0 (expected: > 0 seconds, at most a year)");
    assertThatThrownBy(() -> ProbeSpec.of(new HealthCheck(CheckInfo.Type.COMMAND, null, null,
        CommandInfo.shell("true"), null, null, null, 0, null)))
        .hasMessage("health_check.consecutive_failures: 0 (expected: >= 1)");
    assertThatThrownBy(() -> ProbeSpec.of(new CheckInfo(CheckInfo.Type.COMMAND, new CheckInfo.Command(null),
        null, null, null, null, null)))
        .hasMessage("check.command.command.value: missing (expected: the command to run)");
    assertThatThrownBy(() -> ProbeSpec.of(new CheckInfo(null, null, null, null, null, null, null)))
        .hasMessage("check.type: missing (expected: COMMAND, HTTP or TCP)");
  }
}
