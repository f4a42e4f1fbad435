package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.cli.sample.SampleConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code mezzo sample-server}'s flags: the port comes from {@code $PORT0} as a task, bad flags exit 2 naming the flag. */
class SampleServerCommandTest {
  private static SampleServerCommand parse(Map<String, String> env, String... args) {
    SampleServerCommand cmd = new SampleServerCommand();
    cmd.env = env;
    new CommandLine(cmd).parseArgs(args);
    return cmd;
  }

  @Test
  void asATaskThePortIsPort0AndTheNameIsTheTaskId() {
    SampleConfig c = parse(Map.of("PORT0", "31005", "MESOS_TASK_ID", "web.1"), "--cpu-ms", "5", "--latency-ms", "20",
        "--fail-health-after", "30s").config();
    assertThat(c.port()).isEqualTo(31005);
    assertThat(c.instance()).isEqualTo("web.1");
    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.cpu()).isEqualTo(Duration.ofMillis(5));
    assertThat(c.latency()).isEqualTo(Duration.ofMillis(20));
    assertThat(c.failHealth()).isEqualTo(new SampleConfig.FailHealth.AfterTime(Duration.ofSeconds(30)));
    assertThat(c.workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void anExplicitPortWinsOverPort0() {
    SampleConfig c = parse(Map.of("PORT0", "31005"), "--port", "8080", "--workers", "3").config();
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.instance()).isEqualTo("sample-server on port 8080");
    assertThat(c.workers()).isEqualTo(3);
    assertThat(c.failHealth()).isEqualTo(new SampleConfig.FailHealth.Never());
  }

  @Test
  void outsideATaskTheNameIsHostAndPortSoThatInstancesDiffer() {
    assertThat(parse(Map.of("PORT0", "31005", "HOST", "10.0.0.7")).config().instance())
        .isEqualTo("sample-server on 10.0.0.7:31005");
    assertThat(parse(Map.of("PORT0", "31006", "HOST", "10.0.0.7")).config().instance())
        .isEqualTo("sample-server on 10.0.0.7:31006");
    assertThat(parse(Map.of("PORT0", "31005", "HOST", "10.0.0.7", "MESOS_TASK_ID", "web.2")).config().instance())
        .isEqualTo("web.2");
  }

  @Test
  void noPortAndNoPort0IsRefusedNamingTheFlag() {
    assertThatThrownBy(() -> parse(Map.of()).config()).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage("--port: missing (expected: --port P, or $PORT0 set as Mezzo sets it for a task)");
    assertThatThrownBy(() -> parse(Map.of("PORT0", "http")).config())
        .hasMessage("$PORT0: 'http' (expected: a port number, or --port)");
  }

  @Test
  void badFlagsExitWith2AndAMessage() {
    for (String[] args : new String[][] {{"--port", "1", "--cpu-ms", "-3"}, {"--port", "1", "--fail-health-after", "x"},
        {"--port", "99999"}, {}}) {
      SampleServerCommand cmd = new SampleServerCommand();
      cmd.env = Map.of();
      StringWriter err = new StringWriter();
      int code = new CommandLine(cmd).setErr(new PrintWriter(err)).execute(args);
      assertThat(code).as("exit code for %s", String.join(" ", args)).isEqualTo(2);
      assertThat(err.toString()).containsAnyOf("--cpu-ms: -3", "--fail-health-after: 'x'", "port: 99999",
          "--port: missing");
    }
  }
}
