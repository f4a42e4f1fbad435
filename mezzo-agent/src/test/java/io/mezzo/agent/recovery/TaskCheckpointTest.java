package io.mezzo.agent.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a restarted agent reads back from a task's checkpoint, including one torn by a crash. */
class TaskCheckpointTest {
  private static final FrameworkId FW = FrameworkId.of("fw-1");
  private static final TaskId TASK = TaskId.of("t-1");

  @TempDir
  Path workDir;

  @Test
  void unacknowledgedUpdatesComeBackInOrderAfterTheAcknowledgedOnes() {
    TaskCheckpoint cp = TaskCheckpoint.create(workDir, FW, TASK);
    cp.meta(new TaskCheckpoint.Meta(FW, task(), "/sandbox", 1234L, 99L));
    cp.update(status(TaskState.TASK_STARTING, "u1"));
    cp.ack("u1");
    cp.update(status(TaskState.TASK_RUNNING, "u2"));
    cp.update(status(TaskState.TASK_FINISHED, "u3"));

    List<TaskCheckpoint.Found> found = TaskCheckpoint.readAll(workDir);

    assertThat(found).hasSize(1);
    TaskCheckpoint.Found f = found.get(0);
    assertThat(f.meta()).isEqualTo(new TaskCheckpoint.Meta(FW, task(), "/sandbox", 1234L, 99L));
    assertThat(f.updates()).extracting(TaskStatus::uuid).containsExactly("u1", "u2", "u3");
    assertThat(f.pending()).extracting(TaskStatus::uuid).containsExactly("u2", "u3");
  }

  @Test
  void aLineTornByACrashIsIgnored() throws Exception {
    TaskCheckpoint cp = TaskCheckpoint.create(workDir, FW, TASK);
    cp.meta(new TaskCheckpoint.Meta(FW, task(), "/sandbox", null, null));
    cp.update(status(TaskState.TASK_STARTING, "u1"));
    Files.writeString(cp.dir().resolve(TaskCheckpoint.UPDATES), "{\"update\":{\"task_id\":{\"val",
        StandardOpenOption.APPEND);

    TaskCheckpoint.Found f = TaskCheckpoint.readAll(workDir).get(0);

    assertThat(f.pending()).extracting(TaskStatus::uuid).containsExactly("u1");
  }

  @Test
  void aCheckpointWithoutTaskJsonIsDroppedAndADeletedOneIsGone() {
    TaskCheckpoint.create(workDir, FW, TaskId.of("never-written"));
    TaskCheckpoint done = TaskCheckpoint.create(workDir, FW, TASK);
    done.meta(new TaskCheckpoint.Meta(FW, task(), "/sandbox", null, null));
    done.delete();

    assertThat(TaskCheckpoint.readAll(workDir)).isEmpty();
    assertThat(workDir.resolve("meta/frameworks/fw-1/tasks/never-written")).doesNotExist();
  }

  private static TaskInfo task() {
    return new TaskInfo("t", TASK, null, List.of(), CommandInfo.shell("true"), null, null, null);
  }

  private static TaskStatus status(TaskState state, String uuid) {
    return new TaskStatus(TASK, state, null, TaskStatus.Source.SOURCE_EXECUTOR, null, AgentId.of("a-1"), 1.0, uuid, null);
  }
}
