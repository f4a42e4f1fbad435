package io.mezzo.autoscaler.sim;

import io.mezzo.autoscaler.Scaler;
import io.mezzo.autoscaler.policy.ScalingPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * How the README's simulator figures are made: for one policy file, the {@link Comparison} table (Mezzo's
 * policy, HPA on the policy's first metric and target, the oracle) on each shipped trace rescaled so that
 * its peak needs {@code --peak} instances (default 20) under the default {@link InstanceModel}, then the
 * goal's ratios (SLO-violation time vs HPA's, instance-hours vs HPA's and the oracle's). With
 * {@code --held-out}, also on traces the policy was not tuned on: synthetic traces of other seeds, the World
 * Cup trace shifted by half a day and by 7 hours 13 minutes, and the Wikipedia trace at another peak. With
 * {@code --hpa-target X}, HPA runs a second time on target {@code X} of the same metric ({@code hpa@X}).
 *
 * <pre>
 * mvn -B -q -o -pl mezzo-autoscaler -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp mezzo-autoscaler/target/classes:mezzo-autoscaler/target/test-classes:$(cat /tmp/cp.txt) \
 *     io.mezzo.autoscaler.sim.PolicyReport examples/autoscale-policy.json [--peak 20] [--held-out]
 *     [--hpa-target 80]... [--trace FILE.csv]...
 * </pre>
 * A main in test sources, single-threaded, printing to standard output; not part of the shipped code.
 */
public final class PolicyReport {
  /** The shipped traces, in the README's order. */
  static final List<String> SHIPPED = List.of("worldcup98.csv", "wikipedia-en-2016-01.csv",
      "synthetic-daily-spikes.csv");

  private PolicyReport() {}

  public static void main(String[] args) throws IOException {
    Path policyFile = null;
    int peak = 20;
    boolean heldOut = false;
    List<Double> hpaTargets = new ArrayList<>();
    List<Trace> extra = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--peak" -> peak = Integer.parseInt(args[++i]);
        case "--held-out" -> heldOut = true;
        case "--hpa-target" -> hpaTargets.add(Double.parseDouble(args[++i]));
        case "--trace" -> extra.add(Trace.read(Path.of(args[++i])));
        default -> policyFile = Path.of(args[i]);
      }
    }
    if (policyFile == null) {
      throw new IllegalArgumentException("policy: missing (expected: a policy JSON file as the first argument)");
    }
    ScalingPolicy policy = ScalingPolicy.parse(Files.readString(policyFile, StandardCharsets.UTF_8));
    InstanceModel model = InstanceModel.defaults();
    List<Trace> traces = new ArrayList<>();
    for (String name : SHIPPED) {
      traces.add(Trace.bundled(name).rescaledToPeak(peak, model.sustainableRps()));
    }
    if (heldOut) {
      traces.addAll(heldOutTraces(peak, model));
    }
    for (Trace t : extra) {
      traces.add(t.rescaledToPeak(peak, model.sustainableRps()));
    }
    System.out.println("policy " + policyFile + ": " + policy.toJson());
    System.out.println();
    for (Trace trace : traces) {
      Comparison c = compare(policy, trace, model, hpaTargets);
      System.out.print(c.table());
      System.out.println(ratios(c));
      System.out.println();
    }
  }

  /** Traces the recommended policy was not tuned on, rescaled to {@code peak} instances. */
  static List<Trace> heldOutTraces(int peak, InstanceModel model) {
    List<Trace> out = new ArrayList<>();
    for (long seed : new long[] {1, 2, 3, 11, 42}) {
      out.add(Trace.synthetic(seed, 21).rescaledToPeak(peak, model.sustainableRps()));
    }
    Trace worldCup = Trace.bundled("worldcup98.csv");
    out.add(shifted(worldCup, 43_200, "worldcup98-shift12h").rescaledToPeak(peak, model.sustainableRps()));
    out.add(shifted(worldCup, 25_980, "worldcup98-shift7h13m").rescaledToPeak(peak, model.sustainableRps()));
    out.add(worldCup.rescaledToPeak(Math.max(1, peak / 2), model.sustainableRps()));
    out.add(Trace.bundled("wikipedia-en-2016-01.csv").rescaledToPeak(peak * 3 / 2, model.sustainableRps()));
    return out;
  }

  /** {@code trace} without its first {@code seconds} (so the daily cycle falls elsewhere on the virtual clock). */
  static Trace shifted(Trace trace, double seconds, String name) {
    int first = 0;
    while (trace.timeAt(first) < seconds) {
      first++;
    }
    int n = trace.size() - first;
    double[] t = new double[n];
    double[] r = new double[n];
    for (int i = 0; i < n; i++) {
      t[i] = trace.timeAt(first + i);
      r[i] = trace.rpsAt(first + i);
    }
    return Trace.of(name, t, r);
  }

  /** Mezzo's policy, HPA on its first metric (and on each of {@code hpaTargets}), and the oracle. */
  static Comparison compare(ScalingPolicy policy, Trace trace, InstanceModel model, List<Double> hpaTargets) {
    Map<String, Supplier<Scaler>> scalers = new LinkedHashMap<>();
    scalers.put("mezzo", policy::scaler);
    scalers.put("hpa", policy::hpaBaseline);
    String metric = policy.metrics().get(0).name();
    for (double target : hpaTargets) {
      scalers.put("hpa@" + target, () -> new io.mezzo.autoscaler.policy.HpaScaler(metric, target,
          policy.minInstances(), policy.maxInstances()));
    }
    return Comparison.run(trace, Simulation.Config.of(model), scalers, true);
  }

  /** The goal's ratios: Mezzo's SLO-violation time and instance-hours over HPA's, instance-hours over the oracle's. */
  static String ratios(Comparison c) {
    Report mezzo = c.reports().get("mezzo");
    Report hpa = c.reports().get("hpa");
    Report oracle = c.reports().get(Comparison.ORACLE);
    double slo = hpa.sloViolationFraction() == 0 ? (mezzo.sloViolationFraction() == 0 ? 0 : Double.POSITIVE_INFINITY)
        : mezzo.sloViolationFraction() / hpa.sloViolationFraction();
    double vsHpa = mezzo.instanceHours() / hpa.instanceHours();
    double vsOracle = mezzo.instanceHours() / oracle.instanceHours();
    boolean met = slo <= 0.5 && vsHpa <= 1 && vsOracle <= 1.15;
    return String.format(Locale.ROOT, "goal: SLO viol. mezzo/hpa %.3f (<= 0.5), inst-hours mezzo/hpa %.3f (<= 1), "
        + "mezzo/oracle %.3f (<= 1.15): %s", slo, vsHpa, vsOracle, met ? "MET" : "MISSED");
  }
}
