package io.mezzo.agent.image;

import java.nio.file.Path;
import java.time.Clock;

/** {@code java PullInAnotherProcess STORE_DIR REF}: one pull in its own JVM, for crash tests. */
final class PullInAnotherProcess {
  private PullInAnotherProcess() {}

  public static void main(String[] args) throws Exception {
    try (ImageStore store = ImageStore.open(Path.of(args[0]), RegistryOptions.defaults(), Clock.systemUTC())) {
      store.pull(ImageReference.parse(args[1]), false).get();
    }
  }
}
