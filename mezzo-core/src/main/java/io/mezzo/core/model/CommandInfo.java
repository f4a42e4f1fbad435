package io.mezzo.core.model;

import java.util.List;

/**
 * What a task runs, in the Mesos v1 shape. With {@code shell} true (the default) {@code value} runs
 * under {@code sh -c}; otherwise {@code value} is the program and {@code arguments} its argv
 * (argv[0] first, as Mesos has it).
 */
public record CommandInfo(
    String value, Boolean shell, List<String> arguments, Environment environment, String user) {

  /** Environment variables for the task. */
  public record Environment(List<Variable> variables) {}

  /** One variable; only plain {@code VALUE} variables are supported. */
  public record Variable(String name, String value) {}

  public static CommandInfo shell(String command) {
    return new CommandInfo(command, true, null, null, null);
  }

  public boolean isShell() {
    return shell == null || shell;
  }
}
