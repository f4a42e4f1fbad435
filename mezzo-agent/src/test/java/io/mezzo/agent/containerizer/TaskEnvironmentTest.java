package io.mezzo.agent.containerizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.Resource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The task environment is built like Mesos and Marathon build it. */
class TaskEnvironmentTest {
  @Test
  void portsFollowTheOrderOfTheTasksRanges() {
    List<Resource> resources = List.of(Resource.scalar("cpus", 1),
        Resource.ranges("ports", List.of(new Resource.Range(9000, 9001), new Resource.Range(8000, 8000))));
    assertThat(TaskEnvironment.ports(resources)).containsExactly(9000L, 9001L, 8000L);
    assertThat(TaskEnvironment.ports(null)).isEmpty();
  }

  @Test
  void malformedHugeRangeIsBounded() {
    List<Resource> resources = List.of(Resource.ranges("ports", List.of(new Resource.Range(0, Long.MAX_VALUE))));
    assertThat(TaskEnvironment.ports(resources)).hasSize(TaskEnvironment.MAX_PORTS);
  }

  @Test
  void onlyPathAndLangComeFromTheAgentAndTaskVariablesWin() {
    CommandInfo command = new CommandInfo("x", true, null, new CommandInfo.Environment(
        List.of(new CommandInfo.Variable("PORT", "1"), new CommandInfo.Variable("EMPTY", null))), null);
    Map<String, String> env = TaskEnvironment.build(new TaskEnvironment.Context(
        Map.of("PATH", "/bin", "LANG", "C.UTF-8", "HOME", "/root"), "/s", "t", "f", "a", "h", List.of(31000L), command));

    assertThat(env).containsEntry("PATH", "/bin").containsEntry("LANG", "C.UTF-8").doesNotContainKey("HOME")
        .containsEntry("PORT0", "31000").containsEntry("PORT", "1").containsEntry("EMPTY", "")
        .containsEntry("MESOS_SANDBOX", "/s").containsEntry("HOST", "h");
    assertThat(env.keySet()).startsWith("PATH", "LANG", "MESOS_SANDBOX");
  }

  @Test
  void noPortsMeansEmptyPortsAndNoPort0() {
    Map<String, String> env = TaskEnvironment.build(new TaskEnvironment.Context(
        Map.of(), "/s", "t", "f", "a", "h", List.of(), CommandInfo.shell("x")));
    assertThat(env).containsEntry("PORTS", "").doesNotContainKeys("PORT", "PORT0")
        .containsEntry("PATH", TaskEnvironment.DEFAULT_PATH);
  }

  @Test
  void tasksCanFindMezzosJavaAndJarWhereTheAgentRuns() {
    Map<String, String> agentEnv = TaskEnvironment.withMezzoRuntime(Map.of("PATH", "/bin"), "/jdk/bin/java",
        "mezzo.jar:/abs/lib.jar");
    String cwd = java.nio.file.Path.of("").toAbsolutePath().toString();
    assertThat(agentEnv).containsEntry("MEZZO_JAVA", "/jdk/bin/java")
        .containsEntry("MEZZO_JAR", cwd + "/mezzo.jar:/abs/lib.jar");

    Map<String, String> env = TaskEnvironment.build(new TaskEnvironment.Context(
        agentEnv, "/s", "t", "f", "a", "h", List.of(), CommandInfo.shell("x")));
    assertThat(env).containsEntry("MEZZO_JAVA", "/jdk/bin/java").containsEntry("MEZZO_JAR", cwd + "/mezzo.jar:/abs/lib.jar");
  }

  @Test
  void anOperatorsMezzoJarWinsOverTheAgentsOwn() {
    Map<String, String> agentEnv = TaskEnvironment.withMezzoRuntime(Map.of("MEZZO_JAR", "/opt/mezzo.jar"),
        "/jdk/bin/java", "/tmp/other.jar");
    assertThat(agentEnv).containsEntry("MEZZO_JAR", "/opt/mezzo.jar");
    assertThat(TaskEnvironment.build(new TaskEnvironment.Context(Map.of(), "/s", "t", "f", "a", "h", List.of(),
        CommandInfo.shell("x")))).doesNotContainKeys("MEZZO_JAVA", "MEZZO_JAR");
  }
}
