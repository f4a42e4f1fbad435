package io.mezzo.services.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.ContainerInfo;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.services.launch.TaskFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Marathon's {@code container} on an app: validated field by field, kept through storage, mapped to Mesos. */
class AppContainerTest {
  static AppValidationException refused(String json) {
    return catchThrowableOfType(AppValidationException.class, () -> AppValidator.parse(json));
  }

  static TaskInfo task(AppDefinition app) {
    return TaskFactory.task(app, "v1", "web.i1", AgentId.of("a1"), List.of(), List.of(31000), "h1");
  }

  @Test
  void dockerAppNeedsNoCmdAndMapsToAMesosDockerContainer() {
    AppDefinition app = AppValidator.parse("""
        {"id": "/web", "container": {"type": "DOCKER", "docker": {"image": "reg:5000/web:1", "forcePullImage": true},
          "volumes": [{"containerPath": "/data", "hostPath": "data", "mode": "RO"}]}}
        """);

    TaskInfo task = task(app);
    ContainerInfo c = ContainerInfo.parse(task.container()).orElseThrow();
    assertThat(c.type()).isEqualTo("DOCKER");
    assertThat(c.image()).isEqualTo("reg:5000/web:1");
    assertThat(c.forcePull()).isTrue();
    assertThat(c.volumes()).containsExactly(new ContainerInfo.Volume("/data", "data", true));
    assertThat(task.command().value()).isNull();
    assertThat(task.command().isShell()).isFalse();
  }

  @Test
  void theContainerExampleIsAValidDockerApp() throws Exception {
    String json = java.nio.file.Files.readString(java.nio.file.Path.of("..", "examples", "containers", "busybox-web.json"));
    AppDefinition app = AppValidator.parse(json);

    TaskInfo task = task(app);
    ContainerInfo c = ContainerInfo.parse(task.container()).orElseThrow();
    assertThat(c.type()).isEqualTo("DOCKER");
    assertThat(c.image()).isEqualTo("busybox:1.36");
    assertThat(task.command().value()).contains("httpd -f -p $PORT0");
  }

  @Test
  void mesosTypeMapsToAMesosImageCachedUnlessForcePulled() {
    AppDefinition app = AppValidator.parse("""
        {"id": "/web", "args": ["-p", "80"], "container": {"type": "MESOS", "docker": {"image": "busybox"}}}
        """);

    TaskInfo task = task(app);
    JsonNode json = task.container();
    assertThat(json.at("/mesos/image/docker/name").asText()).isEqualTo("busybox");
    assertThat(json.at("/mesos/image/cached").asBoolean()).isTrue();
    assertThat(ContainerInfo.parse(json).orElseThrow().forcePull()).isFalse();
    assertThat(task.command().arguments()).containsExactly("-p", "80");
  }

  @Test
  void portMappingsBecomeHostPortsSoPortNWorksUnchanged() {
    AppDefinition app = AppValidator.parse("""
        {"id": "/web", "cmd": "httpd -f -p $PORT0", "container": {"docker": {"image": "busybox"},
          "portMappings": [{"containerPort": 0, "hostPort": 0, "name": "http"}]}}
        """);
    assertThat(app.portDefinitions()).singleElement().satisfies(p -> {
      assertThat(p.port()).isZero();
      assertThat(p.name()).isEqualTo("http");
    });
  }

  @Test
  void badContainerFieldsAreRefusedEachUnderItsPath() {
    AppValidationException e = refused("""
        {"id": "/web", "container": {"type": "APPC", "docker": {"image": "", "network": "BRIDGE", "privileged": true,
          "portMappings": [{"containerPort": 80, "hostPort": 0}]},
          "volumes": [{"containerPath": "data", "hostPath": "../x", "mode": "RX"}]}}
        """);
    assertThat(e.details()).containsKeys("/container/type", "/container/docker/image", "/container/docker/network",
        "/container/docker/privileged", "/container/docker/portMappings/0/containerPort",
        "/container/volumes/0/containerPath", "/container/volumes/0/hostPath", "/container/volumes/0/mode");
    assertThat(e.details().get("/container/type")).containsExactly("container.type: \"APPC\" (expected: DOCKER or MESOS)");
    assertThat(e.details().get("/container/docker/network").get(0)).contains("expected: HOST");
  }

  @Test
  void appWithoutCmdArgsOrContainerIsStillRefused() {
    assertThat(refused("{\"id\": \"/web\"}").details().get("/")).singleElement().asString()
        .contains("one of 'cmd' or 'args'");
  }

  @Test
  void containerSurvivesStorageAndGetShape() throws Exception {
    AppDefinition app = AppValidator.parse("""
        {"id": "/web", "cmd": "x", "container": {"type": "DOCKER", "docker": {"image": "busybox"},
          "volumes": [{"containerPath": "/data", "hostPath": "/srv/data"}]}}
        """);
    JsonNode json = MarathonJson.MAPPER.valueToTree(app);
    assertThat(json.at("/container/docker/image").asText()).isEqualTo("busybox");

    AppDefinition back = AppValidator.readStored(json);
    assertThat(back).isEqualTo(app);
    assertThat(back.sameTasksAs(AppValidator.parse("{\"id\": \"/web\", \"cmd\": \"x\"}"))).isFalse();
  }
}
