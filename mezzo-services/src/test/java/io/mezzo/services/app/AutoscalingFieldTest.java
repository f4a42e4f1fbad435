package io.mezzo.services.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code autoscaling} member of an app definition: kept as given and printed back, refused when
 * it is not an object, judged by the injected {@link AutoscalingValidator}, and tying {@code instances}
 * to the policy's bounds; a change of it alone does not change what the instances run.
 */
class AutoscalingFieldTest {
  private static final String POLICY = "{\"minInstances\": 2, \"maxInstances\": 6,"
      + " \"metrics\": [{\"name\": \"requestsPerSecond\", \"target\": 70}]}";

  private static JsonNode tree(String json) {
    try {
      return MarathonJson.MAPPER.readTree(json);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String app(String extra) {
    return "{\"id\": \"/web\", \"cmd\": \"sleep 100\"" + (extra.isEmpty() ? "" : ", " + extra) + "}";
  }

  private static Map<String, List<String>> refused(String json, AutoscalingValidator v) {
    return catchThrowableOfType(AppValidationException.class, () -> AppValidator.validate(tree(json), v)).details();
  }

  @Test
  void anyPolicyObjectIsKeptAndPrintedBackByDefault() {
    AppDefinition app = AppValidator.parse(app("\"instances\": 3, \"autoscaling\": " + POLICY));

    assertThat(app.autoscaling()).isEqualTo(tree(POLICY));
    ObjectNode printed = MarathonJson.MAPPER.valueToTree(app);
    assertThat(printed.get("autoscaling")).isEqualTo(tree(POLICY));
    assertThat(AppValidator.validate(printed)).isEqualTo(app);
    // whatever the services module cannot judge passes by default
    assertThat(AppValidator.parse(app("\"autoscaling\": {\"maxInstances\": 4, \"anything\": [1, 2]}")).autoscaling()
        .path("anything")).hasSize(2);
  }

  @Test
  void noPolicyAndANullPolicyAreTheSameAndPrintNothing() {
    AppDefinition none = AppValidator.parse(app(""));
    assertThat(AppValidator.parse(app("\"autoscaling\": null"))).isEqualTo(none);
    assertThat(none.autoscaling()).isNull();
    assertThat(MarathonJson.MAPPER.valueToTree(none).has("autoscaling")).isFalse();
  }

  @Test
  void aPolicyThatIsNotAnObjectIsRefusedNamingTheField() {
    for (String bad : List.of("5", "\"on\"", "[]", "true")) {
      assertThat(refused(app("\"autoscaling\": " + bad), AutoscalingValidator.ANY_OBJECT))
          .as(bad)
          .containsExactly(Map.entry("/autoscaling",
              List.of("autoscaling: " + bad + " (expected: an object, the app's scaling policy)")));
    }
  }

  @Test
  void theInjectedValidatorsProblemsAreReportedUnderTheirPointersWithTheOtherFields() {
    List<JsonNode> seen = new ArrayList<>();
    AutoscalingValidator strict = policy -> {
      seen.add(policy);
      return List.of(new AutoscalingValidator.Problem("/autoscaling/metrics/0/target",
          "autoscaling.metrics[0].target: -1 (expected: > 0)"));
    };

    Map<String, List<String>> details = refused(app("\"cpus\": -1, \"autoscaling\": " + POLICY), strict);

    assertThat(details).containsOnlyKeys("/cpus", "/autoscaling/metrics/0/target");
    assertThat(details.get("/autoscaling/metrics/0/target"))
        .containsExactly("autoscaling.metrics[0].target: -1 (expected: > 0)");
    assertThat(seen).containsExactly(tree(POLICY));
    // the validator is not asked about an app without a policy, nor about a policy that is not an object
    AppValidator.validate(tree(app("")), strict);
    refused(app("\"autoscaling\": 1"), strict);
    assertThat(seen).hasSize(1);
  }

  @Test
  void instancesOutsideThePolicysBoundsAreRefusedNamingInstances() {
    assertThat(refused(app("\"instances\": 7, \"autoscaling\": " + POLICY), AutoscalingValidator.ANY_OBJECT))
        .containsExactly(Map.entry("/instances", List.of("instances: 7 (expected: <= autoscaling.maxInstances 6)")));
    assertThat(refused(app("\"instances\": 1, \"autoscaling\": " + POLICY), AutoscalingValidator.ANY_OBJECT))
        .containsExactly(Map.entry("/instances",
            List.of("instances: 1 (expected: >= autoscaling.minInstances 2, or 0 to suspend the app)")));
    // minInstances defaults to 1, as in the autoscaler
    assertThat(refused(app("\"instances\": 5, \"autoscaling\": {\"maxInstances\": 4}"),
        AutoscalingValidator.ANY_OBJECT)).containsOnlyKeys("/instances");
    assertThat(AppValidator.parse(app("\"instances\": 6, \"autoscaling\": " + POLICY)).instances()).isEqualTo(6);
    assertThat(AppValidator.parse(app("\"instances\": 2, \"autoscaling\": " + POLICY)).instances()).isEqualTo(2);
  }

  @Test
  void anAutoscaledAppMayBeSuspendedAtZeroAndStartsAtItsMinimumWithoutACount() {
    assertThat(AppValidator.parse(app("\"instances\": 0, \"autoscaling\": " + POLICY)).instances()).isZero();
    assertThat(AppValidator.parse(app("\"autoscaling\": " + POLICY)).instances()).isEqualTo(2);
    assertThat(AppValidator.parse(app("\"autoscaling\": {\"maxInstances\": 3}")).instances()).isEqualTo(1);
  }

  @Test
  void boundsThatAreNotIntegersAreLeftToTheInjectedValidator() {
    AppDefinition app = AppValidator.parse(app("\"instances\": 3,"
        + " \"autoscaling\": {\"minInstances\": \"two\", \"maxInstances\": 2.5}"));
    assertThat(app.instances()).isEqualTo(3);
  }

  @Test
  void aStoredAppLoadsWithItsCountOutsideTheBounds() {
    JsonNode stored = tree(app("\"instances\": 1, \"autoscaling\": " + POLICY));
    assertThat(AppValidator.readStored(stored).instances()).isEqualTo(1);
  }

  @Test
  void aChangeOfThePolicyOrTheCountAloneKeepsTheTasksAndAnyOtherChangeDoesNot() {
    AppDefinition plain = AppValidator.parse(app("\"instances\": 2"));
    AppDefinition autoscaled = AppValidator.parse(app("\"instances\": 3, \"autoscaling\": " + POLICY));
    AppDefinition otherPolicy = autoscaled.withAutoscaling(tree("{\"maxInstances\": 9}"));

    assertThat(plain.sameTasksAs(autoscaled)).isTrue();
    assertThat(autoscaled.sameTasksAs(plain)).isTrue();
    assertThat(autoscaled.sameTasksAs(otherPolicy)).isTrue();
    assertThat(autoscaled).isNotEqualTo(otherPolicy);
    assertThat(plain.sameTasksAs(AppValidator.parse(app("\"instances\": 2, \"cpus\": 0.5")))).isFalse();
    assertThat(autoscaled.sameTasksAs(AppValidator.parse(
        "{\"id\": \"/web\", \"cmd\": \"sleep 200\", \"instances\": 3, \"autoscaling\": " + POLICY + "}"))).isFalse();
  }

  @Test
  void thePolicyCannotBeChangedThroughTheRecord() {
    AppDefinition app = AppValidator.parse(app("\"instances\": 3, \"autoscaling\": " + POLICY));
    ((ObjectNode) app.autoscaling()).put("maxInstances", 100);
    assertThat(app.autoscaling().path("maxInstances").intValue()).isEqualTo(6);
  }
}
