package io.mezzo.cli;

import io.mezzo.autoscaler.Scaler;
import io.mezzo.autoscaler.policy.PolicyException;
import io.mezzo.autoscaler.policy.ScalingPolicy;
import io.mezzo.autoscaler.sim.Comparison;
import io.mezzo.autoscaler.sim.InstanceModel;
import io.mezzo.autoscaler.sim.Simulation;
import io.mezzo.autoscaler.sim.Trace;
import io.mezzo.autoscaler.sim.TraceFormatException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mezzo simulate}: replays a request-rate trace through the simulator's model of instances, running
 * the scaling policy's production code on a virtual clock, and prints how it did (SLO violation, instance
 * hours, scaling actions, the SPEC elasticity metrics), beside Kubernetes' HPA and the oracle when asked.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = "Replay a request-rate trace through a scaling policy (and HPA, and the oracle) on a virtual clock.")
final class SimulateCommand extends CliCommand {
  private static final List<String> BUNDLED = List.of("worldcup98", "wikipedia-en-2016-01", "synthetic-daily-spikes");

  @Option(names = "--trace", required = true, paramLabel = "FILE",
      description = "CSV with header t_seconds,rps; or a shipped trace: worldcup98, wikipedia-en-2016-01, "
          + "synthetic-daily-spikes.")
  String trace;

  @Option(names = "--policy", paramLabel = "POLICY.json",
      description = "The autoscaling policy (an app JSON with an 'autoscaling' object, or that object alone); "
          + "default: the recommended one, examples/autoscale-policy.json.")
  Path policy;

  @Option(names = "--baseline", paramLabel = "hpa", description = "Also run a baseline: hpa (Kubernetes' HPA with its "
      + "defaults, on the policy's first metric and target).")
  String baseline;

  @Option(names = "--oracle", description = "Also run the oracle: the cheapest schedule that meets the SLO knowing the "
      + "future, with the same start-up delay.")
  boolean oracle;

  @Option(names = "--peak-instances", paramLabel = "N", defaultValue = "20",
      description = "Rescale the trace so that its peak needs N instances (default: ${DEFAULT-VALUE}; 0: as it is).")
  int peakInstances;

  @Option(names = "--capacity", paramLabel = "RPS", defaultValue = "100",
      description = "Requests/s one instance serves at utilisation 1 (default: ${DEFAULT-VALUE}).")
  double capacity;

  @Option(names = "--service-time", paramLabel = "TIME", defaultValue = "50ms", converter = DurationConverter.class,
      description = "Mean time per request (default: ${DEFAULT-VALUE}).")
  Duration serviceTime;

  @Option(names = "--startup-delay", paramLabel = "TIME", defaultValue = "60s", converter = DurationConverter.class,
      description = "Time from asking for an instance to its serving (default: ${DEFAULT-VALUE}).")
  Duration startupDelay;

  @Option(names = "--slo", paramLabel = "TIME", defaultValue = "250ms", converter = DurationConverter.class,
      description = "The p95 latency objective (default: ${DEFAULT-VALUE}).")
  Duration slo;

  @Option(names = "--start", paramLabel = "INSTANT",
      description = "The wall-clock time of the trace's first sample, for scheduled policies (e.g. 1998-04-30T21:30:00Z).")
  String start;

  @Option(names = "--output", paramLabel = "text|json", defaultValue = "text",
      description = "text (a table) or json (one object with a member per run) (default: ${DEFAULT-VALUE}).")
  String output;

  /** Runs; a bad option or file prints {@code mezzo simulate: message} and exits 2 ({@link CliCommand}'s frame). */
  @Override
  int run(PrintWriter out) throws CliFailure {
    out.println(report());
    return 0;
  }

  private String report() throws CliFailure {
    if (!output.equals("text") && !output.equals("json")) {
      throw new CliFailure(2, "--output: '" + output + "' (expected: text or json)");
    }
    if (baseline != null && !baseline.equals("hpa")) {
      throw new CliFailure(2, "--baseline: '" + baseline + "' (expected: hpa)");
    }
    if (peakInstances < 0) {
      throw new CliFailure(2, "--peak-instances: " + peakInstances + " (expected: >= 0)");
    }
    ScalingPolicy p = policy();
    InstanceModel model;
    try {
      model = InstanceModel.of(capacity, serviceTime, startupDelay, slo);
    } catch (IllegalArgumentException e) {
      throw new CliFailure(2, e.getMessage());
    }
    Trace t = trace();
    if (peakInstances > 0) {
      t = t.rescaledToPeak(peakInstances, model.sustainableRps());
    }
    Simulation.Config config = Simulation.Config.of(model)
        .withEvaluationInterval(Duration.ofSeconds(p.evaluationSeconds()));
    if (start != null) {
      try {
        config = config.withStart(Instant.parse(start));
      } catch (DateTimeParseException e) {
        throw new CliFailure(2, "--start: '" + start + "' (expected: an ISO-8601 instant such as 1998-04-30T21:30:00Z)");
      }
    }
    Map<String, Supplier<Scaler>> scalers = new LinkedHashMap<>();
    scalers.put("mezzo", p::scaler);
    if (baseline != null) {
      scalers.put("hpa", p::hpaBaseline);
    }
    Comparison c = Comparison.run(t, config, scalers, oracle);
    return output.equals("json") ? c.json() : c.table();
  }

  private ScalingPolicy policy() throws CliFailure {
    if (policy == null) {
      return ScalingPolicy.recommended();
    }
    try {
      return ScalingPolicy.parse(Files.readString(policy));
    } catch (IOException e) {
      throw new CliFailure(2, "--policy: cannot read " + policy + ": " + e.getMessage());
    } catch (PolicyException e) {
      throw new CliFailure(2, "--policy " + policy + ": " + String.join("; ", e.problems()));
    }
  }

  private Trace trace() throws CliFailure {
    Path file = Path.of(trace);
    if (!Files.exists(file)) {
      String name = trace.endsWith(".csv") ? trace.substring(0, trace.length() - 4) : trace;
      if (BUNDLED.contains(name)) {
        return Trace.bundled(name + ".csv");
      }
      throw new CliFailure(2, "--trace: no file " + trace + " (expected: a CSV file, or one of " + BUNDLED + ")");
    }
    try {
      return Trace.read(file);
    } catch (TraceFormatException e) {
      throw new CliFailure(2, "--trace: " + e.getMessage());
    }
  }
}
