package io.mezzo.master.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.json.Json;
import io.mezzo.core.model.ContainerInfo;
import io.mezzo.core.model.TaskInfo;
import org.apache.mesos.v1.Protos;
import org.junit.jupiter.api.Test;

/** A Mesos protobuf {@code TaskInfo} with a container reads as the {@link ContainerInfo} the agent runs. */
class ContainerInfoProtobufTest {
  private static ContainerInfo read(Protos.ContainerInfo container) {
    Protos.TaskInfo task = Protos.TaskInfo.newBuilder().setName("t").setTaskId(Protos.TaskID.newBuilder().setValue("t1"))
        .setAgentId(Protos.AgentID.newBuilder().setValue("a1")).setContainer(container).build();
    TaskInfo info = Json.read(MesosProtobuf.toJson(Protos.TaskInfo.getDescriptor(), task.toByteArray()), TaskInfo.class);
    return ContainerInfo.parse(info.container()).orElseThrow();
  }

  @Test
  void mesosContainerWithADockerImageAndAVolume() {
    ContainerInfo c = read(Protos.ContainerInfo.newBuilder().setType(Protos.ContainerInfo.Type.MESOS)
        .setMesos(Protos.ContainerInfo.MesosInfo.newBuilder().setImage(Protos.Image.newBuilder()
            .setType(Protos.Image.Type.DOCKER).setCached(false)
            .setDocker(Protos.Image.Docker.newBuilder().setName("reg:5000/web:1"))))
        .addVolumes(Protos.Volume.newBuilder().setContainerPath("/data").setHostPath("/srv/data")
            .setMode(Protos.Volume.Mode.RO))
        .build());

    assertThat(c).isEqualTo(new ContainerInfo("MESOS", "reg:5000/web:1", true,
        java.util.List.of(new ContainerInfo.Volume("/data", "/srv/data", true))));
  }

  @Test
  void dockerContainerWithForcePull() {
    ContainerInfo c = read(Protos.ContainerInfo.newBuilder().setType(Protos.ContainerInfo.Type.DOCKER)
        .setDocker(Protos.ContainerInfo.DockerInfo.newBuilder().setImage("busybox").setForcePullImage(true))
        .build());

    assertThat(c.type()).isEqualTo("DOCKER");
    assertThat(c.image()).isEqualTo("busybox");
    assertThat(c.forcePull()).isTrue();
  }
}
