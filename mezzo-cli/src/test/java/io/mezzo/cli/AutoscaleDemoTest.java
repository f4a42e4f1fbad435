package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.autoscaler.policy.ScalingPolicy;
import io.mezzo.load.OpenLoopLoad;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The live demo of {@code examples/README.md} holds together: {@code autoscale-demo.json}'s policy is one the
 * autoscaler accepts, its instances within its bounds, behind the load balancer as the host the README's
 * {@code mezzo load} line sends, and that line parses into the ramp it describes.
 */
class AutoscaleDemoTest {
  private static final Path DEMO = ExamplesTest.EXAMPLES.resolve("autoscale-demo.json");

  @Test
  void theDemoAppCarriesAPolicyTheAutoscalerAccepts() throws IOException {
    JsonNode app = ExamplesTest.read(DEMO);
    ScalingPolicy policy = ScalingPolicy.fromJson(app.path("autoscaling"));
    assertThat(policy.minInstances()).isEqualTo(1);
    assertThat(policy.maxInstances()).isEqualTo(6);
    assertThat(policy.metrics()).hasSize(1);
    assertThat(app.path("instances").asInt()).isBetween(policy.minInstances(), policy.maxInstances());
    assertThat(app.path("labels").path("MEZZO_LB_VHOST_0").asText()).isEqualTo("demo.local");
  }

  @Test
  void theReadmesLoadLineRampsTheDemoHost() throws Exception {
    List<String> loadLines = Files.readAllLines(ExamplesTest.EXAMPLES.resolve("README.md")).stream()
        .filter(l -> l.startsWith("./mezzo load ")).toList();
    assertThat(loadLines).hasSize(1);
    String[] args = loadLines.get(0).substring("./mezzo load ".length()).trim().split("\\s+");
    LoadCommand command = new LoadCommand();
    new CommandLine(command).parseArgs(args);
    OpenLoopLoad.Config config = command.config();

    assertThat(config.host()).isEqualTo("demo.local");
    assertThat(config.url().toString()).isEqualTo("http://127.0.0.1:10080/");
    assertThat(config.duration()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.profile().rateAt(0)).isEqualTo(20);
    assertThat(config.profile().rateAt(119.999)).isCloseTo(300, within(0.1));
    assertThat(config.rate()).isEqualTo(160);
  }
}
