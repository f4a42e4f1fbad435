package io.mezzo.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The class path a cluster's tasks get as {@code MEZZO_JAR}, readable by every user. Agents started
 * as root run tasks as {@code nobody}, who cannot read the test class path's jars under a private
 * directory (the Maven repository in {@code /root/.m2}); each such jar is hard-linked (copied where
 * the file system refuses) into one world-readable directory under {@code java.io.tmpdir}, made once
 * per test JVM and removed when it exits. Entries every user can already read are kept as they are.
 *
 * <p>Thread-safe: computed once.
 */
final class TaskClassPath {
  private static String value;

  private TaskClassPath() {}

  static synchronized String get() {
    if (value == null) {
      value = build(System.getProperty("java.class.path"));
    }
    return value;
  }

  private static String build(String classPath) {
    List<String> out = new ArrayList<>();
    Path dir = null;
    int n = 0;
    for (String entry : classPath.split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      Path p = Path.of(entry).toAbsolutePath();
      if (!Files.isRegularFile(p) || readableByAll(p)) {
        out.add(p.toString());
        continue;
      }
      try {
        if (dir == null) {
          dir = Files.createTempDirectory("mezzo-task-classpath-");
          Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
          deleteOnExit(dir);
        }
        Path copy = dir.resolve((n++) + "-" + p.getFileName());
        try {
          Files.createLink(copy, p);
        } catch (IOException | UnsupportedOperationException e) {
          Files.copy(p, copy, StandardCopyOption.COPY_ATTRIBUTES);
        }
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
        out.add(copy.toString());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot make " + p + " readable for tasks: " + e.getMessage(), e);
      }
    }
    return String.join(File.pathSeparator, out);
  }

  /** Whether others may read {@code file} and search every directory above it. */
  private static boolean readableByAll(Path file) {
    try {
      if (!Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ)) {
        return false;
      }
      for (Path d = file.getParent(); d != null; d = d.getParent()) {
        if (!Files.getPosixFilePermissions(d).contains(PosixFilePermission.OTHERS_EXECUTE)) {
          return false;
        }
      }
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return true; // not POSIX: nothing to fix
    }
  }

  private static void deleteOnExit(Path dir) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        // best effort: a temp dir
      }
    }, "mezzo-task-classpath-cleanup"));
  }
}
