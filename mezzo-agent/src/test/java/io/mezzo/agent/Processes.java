package io.mezzo.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helpers that look at real processes and the agent's HTTP API from outside. */
final class Processes {
  /**
   * Makes {@code paths} readable (directories searchable) by every user: tasks of an agent running
   * as root run as {@code nobody}, and JUnit's temp dirs are private to the test's user.
   */
  static void openToTasks(Path... paths) {
    for (Path p : paths) {
      try {
        Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(
            Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private Processes() {}

  static int run(String... argv) {
    try {
      return new ProcessBuilder(argv).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Whether any live process of group {@code pgid} exists. {@code kill -0 -- -PGID} would also count
   * zombies: killed children of a task are reparented to init, which reaps them when it likes.
   */
  static boolean groupAlive(long pgid) {
    try (var procs = Files.list(Path.of("/proc"))) {
      return procs.filter(p -> p.getFileName().toString().matches("\\d+"))
          .anyMatch(p -> {
            String[] f = statFields(p);
            return f != null && Long.parseLong(f[2]) == pgid && !f[0].equals("Z") && !f[0].equals("X");
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Fields of /proc/PID/stat after the command name: state, ppid, pgrp, ...; null if the process is gone. */
  private static String[] statFields(Path procDir) {
    try {
      String stat = Files.readString(procDir.resolve("stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    } catch (IOException e) {
      return null;
    }
  }

  /** The process group of {@code pid}, from /proc (field 5 of stat), or -1 if it is gone. */
  static long pgidOf(long pid) {
    String[] fields = statFields(Path.of("/proc/" + pid));
    return fields == null ? -1 : Long.parseLong(fields[2]);
  }

  static HttpResponse<String> get(int port, String pathAndQuery) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
