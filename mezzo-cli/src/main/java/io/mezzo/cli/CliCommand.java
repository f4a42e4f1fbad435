package io.mezzo.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The frame of the client commands ({@code mezzo app ...}, {@code load}, {@code simulate}, ...): one
 * way to fail. A {@link CliFailure} prints {@code mezzo app deploy: message} on stderr and exits with
 * its code; an interruption or any unexpected exception prints one line the same way and exits 1;
 * never a stack trace. Subclasses do their work in {@link #run}, printing on its writer. Runs on the
 * caller's thread.
 */
abstract class CliCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  /** Does the command's work, printing on {@code out}; returns the exit code. */
  abstract int run(PrintWriter out) throws CliFailure, InterruptedException;

  @Override
  public final Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    try {
      return run(spec.commandLine().getOut());
    } catch (CliFailure e) {
      err.println(spec.qualifiedName() + ": " + e.getMessage());
      return e.exitCode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println(spec.qualifiedName() + ": interrupted");
      return 1;
    } catch (RuntimeException e) {
      err.println(spec.qualifiedName() + ": " + MarathonClient.describe(e));
      return 1;
    } finally {
      spec.commandLine().getOut().flush();
      err.flush();
    }
  }
}
