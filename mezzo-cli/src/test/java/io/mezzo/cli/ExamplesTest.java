package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mezzo.cli.sample.SampleConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The app files in {@code examples/} stay runnable: each is JSON in Marathon's shape whose {@code cmd}
 * runs {@code mezzo sample-server} with flags it accepts, on its first port, health-checked on
 * {@code /health}. ({@link SampleServerClusterTest} runs one as a real task.)
 */
class ExamplesTest {
  /** The repository's {@code examples/} (tests run in the module's directory). */
  static final Path EXAMPLES = Path.of("..", "examples");

  static List<Path> exampleFiles() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files.filter(p -> p.toString().endsWith(".json"))
          .filter(p -> !p.getFileName().toString().equals("autoscale-policy.json")) // a policy, not an app
          .filter(p -> !p.getFileName().toString().equals("grafana-dashboard.json")) // a dashboard, not an app
          .sorted().toList();
    }
  }

  static JsonNode read(Path file) throws IOException {
    return new ObjectMapper().readTree(file.toFile());
  }

  @Test
  void everyExampleRunsTheSampleServerWithFlagsItAccepts() throws IOException {
    List<Path> files = exampleFiles();
    assertThat(files).extracting(p -> p.getFileName().toString()).contains("sample-server.json");
    for (Path file : files) {
      JsonNode app = read(file);
      assertThat(app.path("id").asText()).as(file + " id").startsWith("/");
      String cmd = app.path("cmd").asText();
      assertThat(cmd).as(file + " cmd").contains("-cp $MEZZO_JAR io.mezzo.cli.Main sample-server").startsWith("$MEZZO_JAVA ");
      String[] args = cmd.substring(cmd.indexOf("sample-server") + "sample-server".length()).trim()
          .replace("$PORT0", "31000").split("\\s+");
      SampleServerCommand command = new SampleServerCommand();
      command.env = Map.of("PORT0", "31000");
      new CommandLine(command).parseArgs(args);
      SampleConfig config = command.config();
      assertThat(config.port()).as(file + " port").isEqualTo(31000);
      assertThat(app.path("mem").asDouble()).as(file + " mem (a JVM)").isGreaterThanOrEqualTo(256);
      assertThat(app.path("portDefinitions")).as(file + " portDefinitions").hasSize(1);
      JsonNode check = app.path("healthChecks").path(0);
      assertThat(check.path("protocol").asText()).as(file + " health check").isEqualTo("MESOS_HTTP");
      assertThat(check.path("path").asText()).isEqualTo("/health");
      assertThat(check.path("portIndex").asInt(-1)).isZero();
      assertThat(Arrays.asList(args)).as(file + " args").doesNotContain("--host"); // it must listen on every address
    }
  }
}
