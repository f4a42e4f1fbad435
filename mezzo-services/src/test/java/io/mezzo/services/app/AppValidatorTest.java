package io.mezzo.services.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AppValidatorTest {

  private static String resource(String name) throws IOException {
    try (InputStream in = AppValidatorTest.class.getResourceAsStream("/marathon-docs/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static AppValidationException refused(String json) {
    return catchThrowableOfType(AppValidationException.class, () -> AppValidator.parse(json));
  }

  @Test
  void marathonBasicExampleGetsMarathonDefaults() throws IOException {
    AppDefinition app = AppValidator.parse(resource("basic-0.json"));

    assertThat(app.id()).isEqualTo("/basic-0");
    assertThat(app.cmd()).startsWith("while [ true ]");
    assertThat(app.cpus()).isEqualTo(0.1);
    assertThat(app.mem()).isEqualTo(10.0);
    assertThat(app.disk()).isZero();
    assertThat(app.instances()).isEqualTo(1);
    assertThat(app.portDefinitions()).containsExactly(PortDefinition.ANY);
    assertThat(app.upgradeStrategy()).isEqualTo(new UpgradeStrategy(1.0, 1.0));
    assertThat(app.backoffSeconds()).isEqualTo(1.0);
    assertThat(app.backoffFactor()).isEqualTo(1.15);
    assertThat(app.maxLaunchDelaySeconds()).isEqualTo(3600);
    assertThat(app.killSelection()).isEqualTo(KillSelection.YOUNGEST_FIRST);
    assertThat(app.unreachableStrategy()).isEqualTo(UnreachableStrategy.DEFAULT);
    assertThat(app.taskKillGracePeriodSeconds()).isNull();
  }

  @Test
  void mixedCaseIdOfTheDocsIsRefusedAsMarathonRefusesIt() throws IOException {
    // Marathon's ids are lowercase; the docs' "/product/service/myApp" fails its own id rule too.
    AppValidationException e = refused(resource("my-app.json"));
    assertThat(e.details()).containsOnlyKeys("/id");
    assertThat(e.details().get("/id")).singleElement().asString().contains("segment \"myApp\"");

    AppDefinition lower = AppValidator.parse(resource("my-app.json").replace("myApp", "my-app"));
    assertThat(lower.id()).isEqualTo("/product/service/my-app");
    assertThat(lower.cpus()).isEqualTo(0.25);
  }

  @Test
  void everySupportedFieldIsReadWithItsValues() throws IOException {
    AppDefinition app = AppValidator.parse(resource("health-checks.json"));

    HealthCheck mesosHttp = app.healthChecks().get(0);
    assertThat(mesosHttp.protocol()).isEqualTo(HealthCheck.Protocol.MESOS_HTTP);
    assertThat(mesosHttp.path()).isEqualTo("/api/health");
    assertThat(mesosHttp.gracePeriodSeconds()).isEqualTo(300);
    assertThat(mesosHttp.intervalSeconds()).isEqualTo(60);
    assertThat(mesosHttp.timeoutSeconds()).isEqualTo(20);
    assertThat(mesosHttp.maxConsecutiveFailures()).isEqualTo(3);
    assertThat(app.readinessChecks()).singleElement()
        .satisfies(r -> assertThat(r.portName()).isEqualTo("http-api"))
        .satisfies(r -> assertThat(r.httpStatusCodesForReady()).containsExactly(200));
    assertThat(app.upgradeStrategy()).isEqualTo(new UpgradeStrategy(0.5, 0.2));
    assertThat(app.unreachableStrategy()).isEqualTo(new UnreachableStrategy(true, 60, 120));
    assertThat(app.killSelection()).isEqualTo(KillSelection.OLDEST_FIRST);
    assertThat(app.taskKillGracePeriodSeconds()).isEqualTo(10L);
    assertThat(app.constraints()).hasSize(7)
        .first().isEqualTo(new Constraint("hostname", Operator.UNIQUE, null));
  }

  @Test
  void eachHealthCheckProtocolIsReadWithItsFields() throws IOException {
    JsonNode app = MarathonJson.MAPPER.readTree(
        new String(getClass().getResourceAsStream("/health-check-protocols.json").readAllBytes(), StandardCharsets.UTF_8));
    Errors errors = new Errors();
    List<HealthCheck> checks = CheckReader.healthChecks(app.get("healthChecks"), 2, errors);
    errors.throwIfAny();

    assertThat(checks).extracting(HealthCheck::protocol).containsExactly(
        HealthCheck.Protocol.HTTP, HealthCheck.Protocol.TCP, HealthCheck.Protocol.COMMAND,
        HealthCheck.Protocol.MESOS_HTTP, HealthCheck.Protocol.MESOS_TCP);
    assertThat(checks.get(2).command().value()).contains("curl -f");
    assertThat(checks.get(2).portIndex()).isNull();
    assertThat(checks.get(3).maxConsecutiveFailures()).isEqualTo(3);
    assertThat(checks.get(3).gracePeriodSeconds()).isEqualTo(300);
  }

  @Test
  void moreThanOneHealthCheckIsRefusedBecauseTheAgentRunsOnePerTask() throws IOException {
    String json = new String(getClass().getResourceAsStream("/health-check-protocols.json").readAllBytes(),
        StandardCharsets.UTF_8);
    AppValidationException e = refused(json);
    assertThat(e.details()).containsOnlyKeys("/healthChecks");
    assertThat(e.details().get("/healthChecks")).singleElement().asString().contains("5 health checks");
  }

  @Test
  void aHealthCheckOnAFixedPortIsRead() {
    AppDefinition app = AppValidator.parse("""
        {"id": "a", "cmd": "x", "healthChecks": [{"protocol": "TCP", "port": 8080}]}
        """);
    assertThat(app.healthChecks().get(0).port()).isEqualTo(8080);
    assertThat(app.healthChecks().get(0).portIndex()).isNull();
  }

  @Test
  void theDrainLabelMustBeSeconds() {
    AppValidationException e = refused("""
        {"id": "a", "cmd": "x", "labels": {"mezzo.drain.seconds": "soon"}}
        """);
    assertThat(e.details()).containsOnlyKeys("/labels/mezzo.drain.seconds");
    assertThat(AppValidator.parse("""
        {"id": "a", "cmd": "x", "labels": {"mezzo.drain.seconds": "2.5"}}
        """).labels()).containsEntry("mezzo.drain.seconds", "2.5");
  }

  @Test
  void emptyArgsAreRefused() {
    assertThat(refused("{\"id\": \"a\", \"args\": []}").details()).containsKey("/args");
  }

  @Test
  void printedAppReadsBackEqual() throws Exception {
    AppDefinition app = AppValidator.parse(resource("health-checks.json"));
    String printed = MarathonJson.MAPPER.writeValueAsString(app);

    assertThat(printed).contains("\"portDefinitions\"", "\"maxLaunchDelaySeconds\"", "[\"hostname\",\"UNIQUE\"]");
    assertThat(AppValidator.parse(printed)).isEqualTo(app);
  }

  @Test
  void oldRestExampleIsRefusedNamingEachUnsupportedField() throws IOException {
    AppValidationException e = refused(resource("rest-v2-full.json"));

    // Its container is the old pre-0.7 shape (container.image, container.options): refused field by field.
    assertThat(e.details()).containsOnlyKeys("/container/image", "/container/options", "/container/docker", "/uris",
        "/taskRateLimit", "/constraints/0", "/healthChecks");
    assertThat(e.details().get("/container/options")).singleElement().asString().contains("not supported by Mezzo");
    assertThat(e.details().get("/taskRateLimit")).singleElement().asString().contains("unknown field");
    assertThat(e.details().get("/constraints/0")).singleElement().asString().contains("operator: \"OPERATOR\"");
  }

  @Test
  void harmlessEmptyMarathonFieldsAreAccepted() {
    AppDefinition app = AppValidator.parse("""
        {"id": "a", "cmd": "x", "dependencies": [], "fetch": [], "container": null, "executor": "",
         "acceptedResourceRoles": ["*"], "gpus": 0, "networks": [{"mode": "host"}], "version": "2016-01-01T00:00:00Z"}
        """);
    assertThat(app.id()).isEqualTo("/a");
  }

  @Test
  void dockerContainerIsAcceptedAndDependenciesAreRefusedByName() {
    AppValidationException e = refused("""
        {"id": "a", "cmd": "x", "container": {"type": "DOCKER", "docker": {"image": "busybox"}}, "dependencies": ["/b"]}
        """);
    assertThat(e.details()).containsOnlyKeys("/dependencies");
  }

  @Test
  void badNumbersNameTheirFieldAndTheExpectation() {
    AppValidationException e = refused("""
        {"id": "a", "cmd": "x", "cpus": -1, "mem": "lots", "instances": 1.5,
         "upgradeStrategy": {"minimumHealthCapacity": 1.5}, "backoffFactor": 0.5}
        """);
    assertThat(e.details()).containsOnlyKeys("/cpus", "/mem", "/instances",
        "/upgradeStrategy/minimumHealthCapacity", "/backoffFactor");
    assertThat(e.details().get("/cpus")).containsExactly("cpus: -1 (expected: >= 0.0)");
    assertThat(e.details().get("/mem")).containsExactly("mem: \"lots\" (expected: a number)");
  }

  @Test
  void errorBodyHasMarathonsShape() throws Exception {
    AppValidationException e = refused("{\"id\": \"a\", \"cmd\": \"x\", \"cpus\": -1}");
    JsonNode body = MarathonJson.MAPPER.readTree(e.toJson());

    assertThat(body.get("message").asText()).isEqualTo("Object is not valid");
    assertThat(body.get("details").get(0).get("path").asText()).isEqualTo("/cpus");
    assertThat(body.get("details").get(0).get("errors").get(0).asText()).contains("cpus: -1");
  }

  @Test
  void idsFollowMarathonsRules() {
    assertThat(AppValidator.parse("{\"id\": \"prod/web/../api\", \"cmd\": \"x\"}").id()).isEqualTo("/prod/api");
    assertThat(refused("{\"id\": \"/Prod/web\", \"cmd\": \"x\"}").details().get("/id"))
        .singleElement().asString().contains("segment \"Prod\"");
    assertThat(refused("{\"id\": \"/web-\", \"cmd\": \"x\"}").details()).containsKey("/id");
    assertThat(refused("{\"cmd\": \"x\"}").details().get("/id")).singleElement().asString().contains("missing");
  }

  @Test
  void exactlyOneOfCmdAndArgs() {
    assertThat(refused("{\"id\": \"a\"}").details()).containsKey("/");
    assertThat(refused("{\"id\": \"a\", \"cmd\": \"x\", \"args\": [\"y\"]}").details()).containsKey("/");
    assertThat(AppValidator.parse("{\"id\": \"a\", \"args\": [\"sleep\", \"9\"]}").args()).containsExactly("sleep", "9");
  }

  @Test
  void constraintValuesAreCheckedPerOperator() {
    AppValidationException e = refused("""
        {"id": "a", "cmd": "x", "constraints": [
          ["hostname", "MAX_PER"], ["rack", "GROUP_BY", "two"], ["hostname", "LIKE", "a[" ], ["rack", "IS"],
          ["rack"], ["hostname", "CLUSTER", ""]]}
        """);
    assertThat(e.details()).containsOnlyKeys("/constraints/0", "/constraints/1", "/constraints/2",
        "/constraints/3", "/constraints/4");
    assertThat(e.details().get("/constraints/0")).singleElement().asString()
        .isEqualTo("MAX_PER value: missing (expected: an integer >= 1)");
  }

  @Test
  void uniqueDropsItsValueAsMarathonDoes() {
    AppDefinition app = AppValidator.parse("{\"id\": \"a\", \"cmd\": \"x\", \"constraints\": [[\"hostname\", \"UNIQUE\", \"\"]]}");
    assertThat(app.constraints()).containsExactly(new Constraint("hostname", Operator.UNIQUE, null));
  }

  @Test
  void healthCheckFieldsMustFitTheProtocol() {
    AppValidationException e = refused("""
        {"id": "a", "cmd": "x", "ports": [0],
         "healthChecks": [{"protocol": "TCP", "portIndex": 1}, {"protocol": "HTTP", "port": 80, "portIndex": 0},
                          {"protocol": "COMMAND"}, {"protocol": "GRPC"},
                          {"protocol": "MESOS_HTTP", "ignoreHttp1xx": true}]}
        """);
    assertThat(e.details()).containsOnlyKeys("/healthChecks", "/healthChecks/0/portIndex", "/healthChecks/1",
        "/healthChecks/2/command", "/healthChecks/3/protocol", "/healthChecks/4/ignoreHttp1xx");
  }

  @Test
  void readinessCheckNeedsANamedPort() {
    AppValidationException e = refused("""
        {"id": "a", "cmd": "x", "portDefinitions": [{"port": 0, "name": "web"}],
         "readinessChecks": [{"portName": "api"}]}
        """);
    assertThat(e.details()).containsOnlyKeys("/readinessChecks/0/portName");
  }

  @Test
  void portsAndPortDefinitionsAreExclusiveAndChecked() {
    assertThat(refused("{\"id\": \"a\", \"cmd\": \"x\", \"ports\": [0], \"portDefinitions\": []}").details())
        .containsKey("/");
    assertThat(refused("""
        {"id": "a", "cmd": "x", "portDefinitions": [{"port": 70000}, {"port": 0, "protocol": "sctp", "name": "Web"}]}
        """).details()).containsOnlyKeys("/portDefinitions/0/port", "/portDefinitions/1/protocol", "/portDefinitions/1/name");
    assertThat(AppValidator.parse("{\"id\": \"a\", \"cmd\": \"x\", \"ports\": []}").portDefinitions()).isEmpty();
  }

  @Test
  void unreachableStrategyMayBeDisabledAndMustBeOrdered() {
    assertThat(AppValidator.parse("{\"id\": \"a\", \"cmd\": \"x\", \"unreachableStrategy\": \"disabled\"}")
        .unreachableStrategy()).isEqualTo(UnreachableStrategy.DISABLED);
    assertThat(refused("""
        {"id": "a", "cmd": "x", "unreachableStrategy": {"inactiveAfterSeconds": 10, "expungeAfterSeconds": 5}}
        """).details()).containsOnlyKeys("/unreachableStrategy/inactiveAfterSeconds");
  }

  @Test
  void secretsInEnvAndBadKillSelectionAreNamed() {
    assertThat(refused("""
        {"id": "a", "cmd": "x", "env": {"A": "1", "PW": {"secret": "s"}}, "killSelection": "RANDOM"}
        """).details()).containsOnlyKeys("/env/PW", "/killSelection");
  }

  @Test
  void malformedJsonIsAnErrorAtTheRoot() {
    assertThatThrownBy(() -> AppValidator.parse("{\"id\": "))
        .isInstanceOfSatisfying(AppValidationException.class, e -> assertThat(e.details()).containsOnlyKeys("/"));
  }

  @Test
  void scalingKeepsEverythingElse() {
    AppDefinition app = AppValidator.parse("{\"id\": \"a\", \"cmd\": \"x\", \"labels\": {\"k\": \"v\"}}");
    assertThat(app.withInstances(5)).satisfies(a -> {
      assertThat(a.instances()).isEqualTo(5);
      assertThat(a.labels()).isEqualTo(Map.of("k", "v"));
      assertThat(a.withInstances(1)).isEqualTo(app);
    });
    assertThat(List.of(app)).hasSize(1);
  }
}
