package io.mezzo.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.core.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The two Mesos container shapes Mezzo runs, and the errors that name what is wrong. */
class ContainerInfoTest {
  static ContainerInfo parse(String json) throws Exception {
    return ContainerInfo.parse(Json.MAPPER.readTree(json)).orElseThrow();
  }

  @Test
  void absentOrNullContainerIsNone() throws Exception {
    assertThat(ContainerInfo.parse(null)).isEmpty();
    assertThat(ContainerInfo.parse(Json.MAPPER.readTree("null"))).isEmpty();
  }

  @Test
  void mesosImageIsCachedUnlessSaidOtherwiseAndVolumesDefaultToReadWrite() throws Exception {
    ContainerInfo c = parse("""
        {"type":"MESOS","mesos":{"image":{"type":"DOCKER","docker":{"name":"busybox"}}},
         "volumes":[{"container_path":"/data","host_path":"data"}]}""");
    assertThat(c).isEqualTo(new ContainerInfo("MESOS", "busybox", false, List.of(new ContainerInfo.Volume("/data", "data", false))));
  }

  @Test
  void errorsNameTheFieldAndWhatWasExpected() {
    assertThatThrownBy(() -> parse("{\"type\":\"MESOS\",\"mesos\":{}}"))
        .hasMessageStartingWith("container.mesos.image: missing");
    assertThatThrownBy(() -> parse("{\"type\":\"MESOS\",\"mesos\":{\"image\":{\"type\":\"APPC\"}}}"))
        .hasMessage("container.mesos.image.type: 'APPC' (expected: DOCKER)");
    assertThatThrownBy(() -> parse("{\"type\":\"DOCKER\",\"docker\":{}}"))
        .hasMessageStartingWith("container.docker.image: missing");
    assertThatThrownBy(() -> parse("{\"type\":\"DOCKER\",\"docker\":{\"image\":\"a\"},\"volumes\":[{\"container_path\":\"rel\",\"host_path\":\"/x\"}]}"))
        .hasMessage("container.volumes[0].container_path: rel (expected: an absolute path without ..)");
    assertThatThrownBy(() -> parse("{\"type\":\"DOCKER\",\"docker\":{\"image\":\"a\"},\"volumes\":[{\"container_path\":\"/x\",\"host_path\":\"../up\"}]}"))
        .hasMessageStartingWith("container.volumes[0].host_path: ../up");
    assertThatThrownBy(() -> parse("{\"type\":\"DOCKER\",\"docker\":{\"image\":\"a\"},\"volumes\":[{\"container_path\":\"/x\",\"host_path\":\"/y\",\"mode\":\"RX\"}]}"))
        .hasMessage("container.volumes[0].mode: 'RX' (expected: RW or RO)");
  }
}
