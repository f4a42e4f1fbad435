package io.mezzo.cli;

/**
 * A client command's failure that the user reads as one line: the message, and the process exit code
 * it stands for (2 for bad input caught before contacting anyone, 1 for everything else).
 */
final class CliFailure extends Exception {
  private final int exitCode;

  CliFailure(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  /** A failure that exits 1. */
  CliFailure(String message) {
    this(1, message);
  }

  int exitCode() {
    return exitCode;
  }
}
