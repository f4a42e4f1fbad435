package io.mezzo.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TaskStateTest {
  @Test
  void terminalStatesNeverChange() {
    for (TaskState from : TaskState.values()) {
      if (from.isTerminal()) {
        for (TaskState to : TaskState.values()) {
          assertThat(from.canBecome(to)).as(from + " -> " + to).isFalse();
        }
      }
    }
  }

  @Test
  void liveStatesOnlyMoveForward() {
    assertThat(TaskState.TASK_STAGING.canBecome(TaskState.TASK_RUNNING)).isTrue();
    assertThat(TaskState.TASK_RUNNING.canBecome(TaskState.TASK_STARTING)).isFalse();
    assertThat(TaskState.TASK_KILLING.canBecome(TaskState.TASK_RUNNING)).isFalse();
    assertThat(TaskState.TASK_RUNNING.canBecome(TaskState.TASK_KILLED)).isTrue();
  }

  @Test
  void unreachableTasksMayComeBackInAnyState() {
    assertThat(TaskState.TASK_UNREACHABLE.canBecome(TaskState.TASK_RUNNING)).isTrue();
    assertThat(TaskState.TASK_RUNNING.canBecome(TaskState.TASK_UNREACHABLE)).isTrue();
  }
}
