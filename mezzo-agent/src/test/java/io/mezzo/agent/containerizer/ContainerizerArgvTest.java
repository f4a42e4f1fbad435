package io.mezzo.agent.containerizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.model.CommandInfo;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order of a task's argv: cgroup join (root), supervisor (root), user switch, then the command. */
class ContainerizerArgvTest {
  static final List<String> SWITCH = List.of("setpriv", "--reuid=65534", "--regid=65534", "--init-groups", "--");

  @Test
  void userSwitchComesAfterTheCgroupJoinAndTheSupervisorJustBeforeTheCommand() {
    List<String> argv = Containerizer.joining(List.of(Path.of("/sys/fs/cgroup/mezzo/r1/cgroup.procs")),
        Containerizer.argv(CommandInfo.shell("id -u"), SWITCH));

    assertThat(argv).containsExactly("setsid", "sh", "-c", Containerizer.JOIN, "mezzo-join",
        "/sys/fs/cgroup/mezzo/r1/cgroup.procs", "--",
        "sh", "-c", Containerizer.SUPERVISOR, "mezzo-supervisor",
        "setpriv", "--reuid=65534", "--regid=65534", "--init-groups", "--",
        "sh", "-c", "id -u");
  }

  @Test
  void noSwitchLeavesTheArgvAsBefore() {
    assertThat(Containerizer.argv(CommandInfo.shell("true"), List.of()))
        .isEqualTo(Containerizer.argv(CommandInfo.shell("true")))
        .containsExactly("setsid", "sh", "-c", Containerizer.SUPERVISOR, "mezzo-supervisor", "sh", "-c", "true");
  }
}
