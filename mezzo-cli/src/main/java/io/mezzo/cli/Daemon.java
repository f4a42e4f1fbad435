package io.mezzo.cli;

import java.util.concurrent.CountDownLatch;

/** Keeps a role running until the JVM is asked to stop (SIGTERM, Ctrl-C), then runs its cleanup once. */
final class Daemon {
  private Daemon() {}

  static int runUntilStopped(AutoCloseable... parts) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (int i = parts.length - 1; i >= 0; i--) {
        try {
          parts[i].close();
        } catch (Exception e) {
          System.err.println("mezzo: error while stopping: " + e);
        }
      }
      stopped.countDown();
    }, "mezzo-shutdown"));
    stopped.await();
    return 0;
  }
}
