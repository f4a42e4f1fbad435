package io.mezzo.agent.recovery;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.mezzo.core.json.Json;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One task's checkpoint, in {@code workDir/meta/frameworks/<framework>/tasks/<task>/} (outside the
 * sandboxes, so tasks and the files API never see it), from which a restarted agent rebuilds the task:
 * <ul>
 *   <li>{@code task.json}: what was launched and where ({@link Meta}), rewritten atomically (a
 *       temporary file moved into place) before the spawn and again with the supervisor's pid and
 *       start time right after it;
 *   <li>{@code updates}: an append-only log, one JSON record a line, {@code {"update":STATUS}} for
 *       each status update and {@code {"ack":UUID}} for each acknowledgement, each forced to disk
 *       before the update is sent or the acknowledgement acted on (the Mesos status update manager's
 *       order). A torn last line, from a crash in the middle of a write, is ignored when read.
 * </ul>
 * The whole directory is deleted once the task's terminal update is acknowledged.
 *
 * <p>Owner: the agent loop; not thread-safe. Writes throw {@link UncheckedIOException} naming the file.
 */
public final class TaskCheckpoint {
  static final String META = "task.json";
  static final String UPDATES = "updates";

  /**
   * What {@code task.json} holds.
   *
   * @param sandbox the run directory
   * @param pid the supervisor's pid (= the task's pgid), null before the spawn
   * @param startTime the supervisor's start time ({@link ProcessIdentity}), null before the spawn
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Meta(FrameworkId frameworkId, TaskInfo task, String sandbox, Long pid, Long startTime) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Entry(TaskStatus update, String ack) {}

  /** A checkpoint as found on disk: its meta, every update in order, and which of them were acknowledged. */
  public record Found(TaskCheckpoint checkpoint, Meta meta, List<TaskStatus> updates, List<String> acked) {
    /** The updates not yet acknowledged, in order (acknowledgements only ever take the oldest). */
    public List<TaskStatus> pending() {
      return updates.stream().filter(u -> !acked.contains(u.uuid())).toList();
    }
  }

  private final Path dir;

  private TaskCheckpoint(Path dir) {
    this.dir = dir;
  }

  /** The checkpoint directory of a task, created empty (an older one of the same task id is replaced). */
  public static TaskCheckpoint create(Path workDir, FrameworkId framework, TaskId task) {
    Path dir = root(workDir).resolve(framework.value()).resolve("tasks").resolve(task.value());
    try {
      if (Files.exists(dir)) {
        deleteTree(dir);
      }
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("checkpoint: cannot create " + dir + ": " + e.getMessage(), e);
    }
    return new TaskCheckpoint(dir);
  }

  static Path root(Path workDir) {
    return workDir.resolve("meta").resolve("frameworks");
  }

  public Path dir() {
    return dir;
  }

  /** Writes {@code task.json} atomically and durably. */
  public void meta(Meta meta) {
    Path tmp = dir.resolve(META + ".tmp");
    try {
      write(tmp, Json.write(meta), StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
      Files.move(tmp, dir.resolve(META), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("checkpoint: cannot write " + dir.resolve(META) + ": " + e.getMessage(), e);
    }
  }

  /** Appends a status update to the log and forces it to disk. */
  public void update(TaskStatus status) {
    append(new Entry(status, null));
  }

  /** Appends an acknowledgement to the log and forces it to disk. */
  public void ack(String uuid) {
    append(new Entry(null, uuid));
  }

  /** Removes the checkpoint: the task is done with. */
  public void delete() {
    try {
      deleteTree(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("checkpoint: cannot delete " + dir + ": " + e.getMessage(), e);
    }
  }

  private void append(Entry entry) {
    byte[] line = (Json.writeString(entry) + "\n").getBytes(StandardCharsets.UTF_8);
    Path file = dir.resolve(UPDATES);
    try {
      write(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("checkpoint: cannot append to " + file + ": " + e.getMessage(), e);
    }
  }

  private static void write(Path file, byte[] bytes, StandardOpenOption... options) throws IOException {
    List<StandardOpenOption> opts = new ArrayList<>(List.of(options));
    opts.add(StandardOpenOption.WRITE);
    try (FileChannel ch = FileChannel.open(file, opts.toArray(StandardOpenOption[]::new))) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(false);
    }
  }

  /**
   * Every task checkpoint under {@code workDir}. A directory without a readable {@code task.json}
   * (the agent died while creating it, before anything was spawned) is deleted and skipped.
   */
  public static List<Found> readAll(Path workDir) {
    Path root = root(workDir);
    List<Found> out = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try (Stream<Path> frameworks = Files.list(root)) {
      for (Path fw : frameworks.sorted().toList()) {
        Path tasks = fw.resolve("tasks");
        if (!Files.isDirectory(tasks)) {
          continue;
        }
        try (Stream<Path> dirs = Files.list(tasks)) {
          for (Path dir : dirs.sorted().toList()) {
            Found f = read(dir);
            if (f != null) {
              out.add(f);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("checkpoint: cannot read " + root + ": " + e.getMessage(), e);
    }
    return out;
  }

  private static Found read(Path dir) throws IOException {
    TaskCheckpoint cp = new TaskCheckpoint(dir);
    Path metaFile = dir.resolve(META);
    if (!Files.exists(metaFile)) {
      deleteTree(dir);
      return null;
    }
    Meta meta = Json.read(Files.readAllBytes(metaFile), Meta.class);
    List<TaskStatus> updates = new ArrayList<>();
    List<String> acked = new ArrayList<>();
    Path log = dir.resolve(UPDATES);
    if (Files.exists(log)) {
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        Entry e;
        try {
          e = Json.read(line.getBytes(StandardCharsets.UTF_8), Entry.class);
        } catch (IllegalArgumentException torn) {
          break; // a crash mid-write: nothing after it was written either
        }
        if (e.update() != null) {
          updates.add(e.update());
        } else if (e.ack() != null) {
          acked.add(e.ack());
        }
      }
    }
    return new Found(cp, meta, updates, acked);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
