package io.mezzo.autoscaler.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.autoscaler.Scaler;
import io.mezzo.core.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Several runs on one trace: the JSON object of the issue and the text table. */
class ComparisonTest {
  private static final InstanceModel MODEL = InstanceModel.defaults();

  private static Map<String, Supplier<Scaler>> runs(AtomicInteger made) {
    Map<String, Supplier<Scaler>> scalers = new LinkedHashMap<>();
    scalers.put("mezzo", () -> {
      made.incrementAndGet();
      return TestScalers.proportional(0.5);
    });
    scalers.put("hpa", () -> {
      made.incrementAndGet();
      return TestScalers.proportional(0.8);
    });
    return scalers;
  }

  @Test
  void jsonHasAMemberPerRunWithTheIssuesFields() throws Exception {
    Trace trace = Trace.synthetic(9, 2).rescaledToPeak(10, MODEL.sustainableRps());
    AtomicInteger made = new AtomicInteger();
    Comparison comparison = Comparison.run(trace, Simulation.Config.of(MODEL), runs(made), true);
    assertThat(made).hasValue(2);

    JsonNode json = Json.MAPPER.readTree(comparison.json());
    assertThat(json.fieldNames()).toIterable().containsExactly("mezzo", "hpa", "oracle");
    for (String run : new String[] {"mezzo", "hpa", "oracle"}) {
      assertThat(json.get(run).fieldNames()).toIterable().containsExactly("sloViolationFraction", "instanceHours",
          "scalingActions", "underProvisioningAccuracy", "overProvisioningAccuracy", "underProvisioningTimeshare",
          "overProvisioningTimeshare", "instability");
      Report report = comparison.reports().get(run);
      assertThat(json.get(run).get("instanceHours").asDouble()).isEqualTo(report.instanceHours());
      assertThat(json.get(run).get("scalingActions").asInt()).isEqualTo(report.scalingActions());
    }
    assertThat(json.get("oracle").get("sloViolationFraction").asDouble()).isZero();
    // the hotter target saves instances and pays in violations
    Report cool = comparison.reports().get("mezzo");
    Report hot = comparison.reports().get("hpa");
    assertThat(hot.instanceHours()).isLessThan(cool.instanceHours());
    assertThat(hot.sloViolationFraction()).isGreaterThan(cool.sloViolationFraction());
  }

  @Test
  void tableHasAHeadingAndARowPerRun() {
    Trace trace = Trace.synthetic(9, 1).rescaledToPeak(8, MODEL.sustainableRps());
    String table = Comparison.run(trace, Simulation.Config.of(MODEL), runs(new AtomicInteger()), true).table();
    assertThat(table.lines().toList()).hasSize(6);
    assertThat(table).startsWith("trace synthetic-9-1d: 1.0 days, peak ").contains("(8 instances at the SLO)");
    assertThat(table.lines().skip(3).map(l -> l.split(" +")[0]).toList()).containsExactly("mezzo", "hpa", "oracle");
  }

  @Test
  void aScalerCannotTakeTheOraclesName() {
    Map<String, Supplier<Scaler>> scalers = Map.of("oracle", () -> TestScalers.fixed(1));
    assertThatThrownBy(() -> Comparison.run(Trace.synthetic(1, 1), Simulation.Config.of(MODEL), scalers, true))
        .hasMessage("scalers: 'oracle' (expected: another name; the oracle runs as 'oracle')");
  }
}
