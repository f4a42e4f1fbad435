package io.mezzo.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code mezzo} command: role subcommands ({@code master}, {@code agent}, {@code up}) and client
 * commands ({@code execute}, {@code logs}), and the sample workload ({@code sample-server}). Bad flags
 * print a message and exit 2; a failure to start exits 1 with one line saying why.
 */
@Command(name = "mezzo", mixinStandardHelpOptions = true, version = "mezzo 0.1.0",
    description = "A cluster manager in the tradition of Apache Mesos.",
    subcommands = {UpCommand.class, MasterCommand.class, AgentCommand.class, ExecuteCommand.class, LogsCommand.class,
        SampleServerCommand.class, ServicesCommand.class, AppCommand.class, TasksCommand.class, DeploymentsCommand.class, LbCommand.class,
        SimulateCommand.class, LoadCommand.class, AgentsCommand.class, FrameworksCommand.class, CompletionCommand.class,
        TopCommand.class, DoctorCommand.class,
        ImageCommand.class})
public final class Main {
  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("mezzo " + cmd.getCommandName() + ": " + e.getMessage());
      return 1;
    });
    return cli.execute(args);
  }
}
