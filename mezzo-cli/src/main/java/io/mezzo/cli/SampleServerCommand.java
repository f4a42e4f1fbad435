package io.mezzo.cli;

import io.mezzo.cli.sample.SampleConfig;
import io.mezzo.cli.sample.SampleServer;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mezzo sample-server}: runs the sample workload ({@link SampleServer}) until stopped. The port
 * defaults to {@code $PORT0}, so that it runs as a Mezzo (or Marathon) task without flags; the name it
 * answers with is unique per instance: {@code $MESOS_TASK_ID} when set, else {@code $HOST:port} when
 * {@code $HOST} is set, else the port alone. Bad flags exit 2 with a message naming the flag.
 */
@Command(name = "sample-server", mixinStandardHelpOptions = true,
    description = "Run the sample HTTP workload: GET / (with a set CPU cost and latency), /health, /metrics, "
        + "POST /latency?ms=N and POST /fail?status=S to change it while it runs, and a WebSocket echo at /ws.")
final class SampleServerCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--port", description = "Port to listen on (default: $PORT0).")
  Integer port;

  @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--cpu-ms", defaultValue = "0",
      description = "CPU time each GET / burns, in ms of the serving thread's CPU time (default: ${DEFAULT-VALUE}).")
  long cpuMs;

  @Option(names = "--latency-ms", defaultValue = "0",
      description = "Time each GET / then waits before answering, without holding a thread (default: ${DEFAULT-VALUE}).")
  long latencyMs;

  @Option(names = "--fail-health-after", paramLabel = "N|TIME",
      description = "/health answers 503 after N requests to GET /, or after TIME since the start (500ms, 30s, 2m).")
  String failHealthAfter;

  @Option(names = "--concurrency", defaultValue = "0", paramLabel = "N",
      description = "Serve at most N GET / at once, queueing the rest in arrival order, as a server with N "
          + "request threads does (0: no limit; default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--workers", description = "Threads that burn CPU for requests (default: the number of cpus).")
  Integer workers;

  /** Where {@code $PORT0}, {@code $MESOS_TASK_ID} and {@code $HOST} come from; the process environment but in tests. */
  Map<String, String> env = System.getenv();

  SampleConfig config() {
    int p;
    if (port != null) {
      p = port;
    } else if (env.get("PORT0") != null) {
      try {
        p = Integer.parseInt(env.get("PORT0").trim());
      } catch (NumberFormatException e) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "$PORT0: '" + env.get("PORT0") + "' (expected: a port number, or --port)");
      }
    } else {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--port: missing (expected: --port P, or $PORT0 set as Mezzo sets it for a task)");
    }
    int n = workers != null ? workers : Runtime.getRuntime().availableProcessors();
    String instance = env.get("MESOS_TASK_ID");
    if (instance == null) {
      String h = env.get("HOST");
      instance = h == null || h.isBlank() ? "sample-server on port " + p : "sample-server on " + h.trim() + ":" + p;
    }
    try {
      return SampleConfig.of(host, p, cpuMs, latencyMs, failHealthAfter, n, instance).withConcurrency(concurrency);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  @Override
  public Integer call() throws Exception {
    SampleConfig config = config();
    SampleServer server = SampleServer.start(config);
    System.out.printf("mezzo sample-server listening on http://%s:%d (GET /: %d ms cpu, %d ms latency)%n",
        config.host(), server.port(), config.cpu().toMillis(), config.latency().toMillis());
    System.out.flush();
    return Daemon.runUntilStopped(server);
  }
}
