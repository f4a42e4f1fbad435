package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.json.Json;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The text forms of the structured policy flags, read on their own: day ranges, spacing, and numbers
 * that Java would read but JSON would not write.
 */
class PolicyFlagFormsTest {
  private static JsonNode json(String text) throws IOException {
    return Json.MAPPER.readTree(text);
  }

  @Test
  void aRangeOfDaysMayWrapPastSundayAndNameDaysInFull() throws Exception {
    assertThat(PolicyFlagForms.schedule("FRI-MON@22:00-02:00=2").path("days"))
        .isEqualTo(json("[\"FRI\", \"SAT\", \"SUN\", \"MON\"]"));
    assertThat(PolicyFlagForms.schedule("monday-Wednesday,sat@09:00-17:00=3").path("days"))
        .isEqualTo(json("[\"MON\", \"TUE\", \"WED\", \"sat\"]"));
    assertThat(PolicyFlagForms.schedule("09:00-17:00=3").has("days")).as("every day: no days member").isFalse();
  }

  @Test
  void spacesAroundThePartsOfAFormAreAllowed() throws Exception {
    assertThat(PolicyFlagForms.steps(List.of(" cpu > 0.8 : +25% ")))
        .isEqualTo(json("[{\"metric\": \"cpu\", \"thresholds\": [{\"above\": 0.8, \"changePercent\": 25.0}]}]"));
    assertThat(PolicyFlagForms.limits("--scale-up-limit", List.of("4 / 15s", " 100% /1m")))
        .isEqualTo(json("[{\"type\": \"Instances\", \"value\": 4, \"periodSeconds\": 15},"
            + " {\"type\": \"Percent\", \"value\": 100, \"periodSeconds\": 60}]"));
    assertThat(PolicyFlagForms.schedule("SAT @ 10:00 - 16:00 = 2 , zone = UTC"))
        .isEqualTo(json("{\"days\": [\"SAT\"], \"from\": \"10:00\", \"to\": \"16:00\", \"minInstances\": 2,"
            + " \"zone\": \"UTC\"}"));
  }

  @Test
  void numbersOnlyJavaWouldReadAreRefused() {
    for (String rule : List.of("cpu>NaN:+1", "cpu>0.8:+1d", "cpu>0x10:+1", "cpu>Infinity:+1")) {
      assertThatThrownBy(() -> PolicyFlagForms.steps(List.of(rule))).isInstanceOf(CliFailure.class)
          .hasMessageStartingWith("--step: '" + rule + "' (expected: METRIC>BOUND:+N or METRIC<BOUND:-N");
    }
    assertThatThrownBy(() -> PolicyFlagForms.predictive("cpu:levelSmoothing=1f")).isInstanceOf(CliFailure.class)
        .hasMessage("--predictive: 'cpu:levelSmoothing=1f' (expected: levelSmoothing=NUMBER, e.g. levelSmoothing=0.3)");
  }
}
