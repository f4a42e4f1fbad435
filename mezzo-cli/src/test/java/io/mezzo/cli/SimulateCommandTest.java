package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mezzo simulate}: a trace replayed through the recommended policy, HPA and the oracle, printed as the
 * JSON object the issue names; bad options and files exit 2 with a message naming them.
 */
class SimulateCommandTest {
  @Test
  void aShippedTraceGivesEachRunsFiguresAsJson() throws Exception {
    CliRun run = CliRun.mezzo("simulate", "--trace", "wikipedia-en-2016-01", "--baseline", "hpa", "--oracle",
        "--output", "json");
    assertThat(run.exit()).as("%s", run).isZero();
    JsonNode json = Json.MAPPER.readTree(run.out());
    assertThat(json.fieldNames()).toIterable().containsExactly("mezzo", "hpa", "oracle");
    for (String name : new String[] {"mezzo", "hpa", "oracle"}) {
      assertThat(json.get(name).fieldNames()).toIterable().contains("sloViolationFraction", "instanceHours",
          "scalingActions", "underProvisioningAccuracy", "overProvisioningAccuracy", "underProvisioningTimeshare",
          "overProvisioningTimeshare", "instability");
    }
    assertThat(json.path("oracle").path("sloViolationFraction").asDouble()).isZero();
    assertThat(json.path("mezzo").path("instanceHours").asDouble())
        .isGreaterThanOrEqualTo(json.path("oracle").path("instanceHours").asDouble());
  }

  @Test
  void aTraceFileWithABadLineIsNamed(@TempDir Path dir) throws Exception {
    Path trace = Files.writeString(dir.resolve("t.csv"), "t_seconds,rps\n0,10\n60,lots\n");
    CliRun run = CliRun.mezzo("simulate", "--trace", trace.toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("--trace").contains("line 3").contains("'lots'");
  }

  @Test
  void aBadPolicyListsEveryProblem(@TempDir Path dir) throws Exception {
    Path policy = Files.writeString(dir.resolve("p.json"), "{\"minInstances\": 0, \"maxInstances\": -1}");
    CliRun run = CliRun.mezzo("simulate", "--trace", "worldcup98", "--policy", policy.toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("autoscaling.minInstances: 0").contains("autoscaling.maxInstances: -1");
  }

  @Test
  void unknownTracesAndOutputsAreRefused() {
    assertThat(CliRun.mezzo("simulate", "--trace", "nope").err()).contains("--trace: no file nope");
    CliRun run = CliRun.mezzo("simulate", "--trace", "worldcup98", "--output", "yaml");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("--output: 'yaml' (expected: text or json)");
  }
}
