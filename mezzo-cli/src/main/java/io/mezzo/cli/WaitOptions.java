package io.mezzo.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code --wait} and {@code --timeout} for the commands that start a deployment: whether to follow
 * it to its end, and for how long at most. A picocli mixin.
 */
final class WaitOptions {
  @Option(names = "--wait", description = "Wait until the deployment ends, showing its progress.")
  boolean wait;

  @Option(names = "--timeout", defaultValue = "10m", converter = DurationConverter.class,
      description = "With --wait: give up after this long, exiting 1 (default: ${DEFAULT-VALUE}).")
  Duration timeout;
}
