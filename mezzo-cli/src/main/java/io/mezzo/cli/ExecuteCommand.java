package io.mezzo.cli;

import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.FrameworkInfo;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.core.scheduler.Call;
import io.mezzo.core.scheduler.Event;
import io.mezzo.core.scheduler.SchedulerClient;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mezzo execute}, like {@code mesos-execute}: a one-task framework. It subscribes, launches
 * the task on the first offer that holds its resources, prints each status update, and exits with
 * the task's exit code (0 finished, the command's status when it failed, 1 for any other end).
 */
@Command(name = "execute", mixinStandardHelpOptions = true, description = "Run one task on the cluster and wait for it.")
final class ExecuteCommand implements Callable<Integer> {
  private static final Pattern EXIT_STATUS = Pattern.compile("exited with status (\\d+)");

  @Option(names = "--master", required = true,
      description = "The master's HOST:PORT, several masters' HOST:PORT,... or zk://HOST:PORT,.../PATH.")
  String master;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "File holding the framework principal's secret (default: $MEZZO_TOKEN, else none).")
  java.nio.file.Path tokenFile;

  @Option(names = "--tls-ca", paramLabel = "PEM", description = "Call the master over HTTPS, trusting these CAs.")
  java.nio.file.Path tlsCa;

  @picocli.CommandLine.Mixin
  ClientCertificateOptions clientCertificate = new ClientCertificateOptions();

  @Option(names = "--principal", description = "framework_info.principal: the principal whose secret is sent.")
  String principal;

  @Option(names = "--name", required = true, description = "Task name.")
  String name;

  @Option(names = "--command", required = true, description = "Shell command to run.")
  String command;

  @Option(names = "--resources", defaultValue = "cpus:0.1;mem:32", description = "Task resources (default: ${DEFAULT-VALUE}).")
  String resources;

  @Option(names = "--offer-timeout", defaultValue = "60s", converter = DurationConverter.class,
      description = "Give up when no fitting offer came within this time (default: ${DEFAULT-VALUE}).")
  Duration offerTimeout;

  @Option(names = "--framework-name", defaultValue = "mezzo-execute", description = "Framework name (default: ${DEFAULT-VALUE}).")
  String frameworkName;

  @Override
  public Integer call() throws Exception {
    master = MasterOption.leader(master); // HOST:PORT, a list or zk://
    Resources needs = Resources.parse(resources);
    if (needs.isEmpty()) {
      throw new IllegalArgumentException("--resources: '" + resources + "' (expected: some cpus or mem)");
    }
    BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    FrameworkInfo info = new FrameworkInfo(System.getProperty("user.name", "root"), frameworkName, null, 0.0, false,
        null, null, null, principal, null, List.of());
    try (SchedulerClient client = SchedulerClient.subscribe(master, MasterOption.caller(tokenFile, tlsCa, clientCertificate), info, events::add,
        cause -> events.add(new Disconnected(cause)), Duration.ofSeconds(15))) {
      System.out.println("Subscribed with id " + client.frameworkId());
      TaskId taskId = new TaskId(name + "." + UUID.randomUUID().toString().substring(0, 8));
      long deadline = System.nanoTime() + offerTimeout.toNanos();
      long acceptNanos = 0;
      boolean launched = false;
      while (true) {
        long waitNanos = launched ? TimeUnit.DAYS.toNanos(1) : deadline - System.nanoTime();
        Object next = events.poll(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
        if (next == null) {
          System.err.println("mezzo execute: no offer holding " + needs + " within " + offerTimeout);
          return 1;
        }
        if (next instanceof Disconnected d) {
          System.err.println("mezzo execute: lost the master" + (d.cause() == null ? "" : ": " + d.cause()));
          return 1;
        }
        Event e = (Event) next;
        switch (e.type()) {
          case OFFERS -> {
            for (Offer offer : e.offers().offers()) {
              if (!launched && Resources.of(offer.resources()).contains(needs)) {
                TaskInfo task = new TaskInfo(name, taskId, offer.agentId(), needs.toList(), CommandInfo.shell(command),
                    null, null, null);
                acceptNanos = System.nanoTime();
                client.send(Call.accept(client.frameworkId(), List.of(offer.id()), List.of(task), 5.0)).join();
                launched = true;
                System.out.println("Submitted task '" + name + "' (" + taskId + ") to agent " + offer.agentId());
              } else {
                client.send(Call.decline(client.frameworkId(), List.of(offer.id()), 60.0));
              }
            }
          }
          case UPDATE -> {
            TaskStatus s = e.update().status();
            if (!s.taskId().equals(taskId)) {
              continue;
            }
            System.out.println("Received status update " + s.state() + " for task '" + name + "'"
                + (s.message() == null ? "" : "\n  message: '" + s.message() + "'"));
            if (s.state() == TaskState.TASK_RUNNING && acceptNanos != 0) {
              System.out.printf("  accept to running: %.1f ms%n", (System.nanoTime() - acceptNanos) / 1e6);
            }
            client.acknowledge(s).join();
            if (s.state().isTerminal()) {
              client.send(Call.of(client.frameworkId(), Call.Type.TEARDOWN)).join();
              return exitCode(s);
            }
          }
          case ERROR -> {
            System.err.println("mezzo execute: master error: " + e.error().message());
            return 1;
          }
          default -> { }
        }
      }
    }
  }

  static int exitCode(TaskStatus s) {
    if (s.state() == TaskState.TASK_FINISHED) {
      return 0;
    }
    if (s.state() == TaskState.TASK_FAILED && s.message() != null) {
      Matcher m = EXIT_STATUS.matcher(s.message());
      if (m.find()) {
        int code = Integer.parseInt(m.group(1));
        return code == 0 ? 1 : code;
      }
    }
    return 1;
  }

  private record Disconnected(Throwable cause) {}
}
