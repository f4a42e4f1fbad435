package io.mezzo.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One run of {@code mezzo ARGS} in this JVM, as {@link Main} wires it: exit code, stdout and stderr. */
record CliRun(int exit, String out, String err) {
  static CliRun mezzo(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new CliRun(exit, out.toString(), err.toString());
  }

  /** {@code mezzo ARGS --master MASTER}. */
  static CliRun against(String master, String... args) {
    String[] argv = java.util.Arrays.copyOf(args, args.length + 2);
    argv[args.length] = "--master";
    argv[args.length + 1] = master;
    return mezzo(argv);
  }

  /** As {@link #against}, failing the test unless it exits 0. */
  static CliRun succeeding(String master, String... args) {
    CliRun r = against(master, args);
    org.assertj.core.api.Assertions.assertThat(r.exit()).as("mezzo " + String.join(" ", args) + "\n" + r).isZero();
    return r;
  }

  @Override
  public String toString() {
    return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
  }
}
