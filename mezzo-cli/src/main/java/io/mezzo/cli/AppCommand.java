package io.mezzo.cli;

import picocli.CommandLine.Command;

/**
 * {@code mezzo app}: the services scheduler's apps, through its Marathon-shaped {@code /v2} API on
 * the master. Only groups its subcommands; {@code mezzo app} alone prints usage and exits 2.
 */
@Command(name = "app", mixinStandardHelpOptions = true, description = "Deploy and manage long-running apps.",
    subcommands = {AppDeployCommand.class, AppListCommand.class, AppShowCommand.class, AppScaleCommand.class,
        AppAutoscaleCommand.class, AppAutoscaleStatusCommand.class,
        AppRestartCommand.class, AppRemoveCommand.class})
final class AppCommand {
}
