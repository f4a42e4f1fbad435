package io.mezzo.autoscaler.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mezzo.autoscaler.Scaler;
import io.mezzo.core.json.Json;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Several scalers and, if asked, the {@link Oracle}, run on one trace under one configuration, with the
 * text table and the JSON object {@code mezzo simulate} prints. Each run gets a new scaler from its
 * factory, so runs share no state. Immutable once built.
 *
 * <p>JSON ({@code --output json}): one object with a member per run in run order ({@code mezzo},
 * {@code hpa}, ..., then {@code oracle}), each holding {@code sloViolationFraction} (0 to 1),
 * {@code instanceHours}, {@code scalingActions}, and, in percent as {@link Report} defines them,
 * {@code underProvisioningAccuracy}, {@code overProvisioningAccuracy}, {@code underProvisioningTimeshare},
 * {@code overProvisioningTimeshare} and {@code instability}.
 */
public final class Comparison {
  /** The name of the oracle's run. */
  public static final String ORACLE = "oracle";

  private final Trace trace;
  private final Simulation.Config config;
  private final Map<String, Report> reports;

  private Comparison(Trace trace, Simulation.Config config, Map<String, Report> reports) {
    this.trace = trace;
    this.config = config;
    this.reports = Collections.unmodifiableMap(reports);
  }

  /**
   * Runs each scaler (by name, in the map's order) and then, if {@code oracle}, the oracle.
   *
   * @throws IllegalArgumentException if a scaler is named {@value #ORACLE} while the oracle runs
   */
  public static Comparison run(Trace trace, Simulation.Config config, Map<String, ? extends Supplier<? extends Scaler>> scalers,
      boolean oracle) {
    Objects.requireNonNull(trace, "trace");
    Objects.requireNonNull(config, "config");
    Map<String, Report> reports = new LinkedHashMap<>();
    scalers.forEach((name, factory) -> {
      if (oracle && name.equals(ORACLE)) {
        throw new IllegalArgumentException("scalers: '" + ORACLE + "' (expected: another name; the oracle runs as '"
            + ORACLE + "')");
      }
      reports.put(name, Simulation.run(trace, config, Objects.requireNonNull(factory.get(), name)));
    });
    if (oracle) {
      reports.put(ORACLE, Oracle.run(trace, config));
    }
    return new Comparison(trace, config, reports);
  }

  /** The reports by run name, in run order. */
  public Map<String, Report> reports() {
    return reports;
  }

  /** The JSON object described in the class comment. */
  public ObjectNode toJson() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    reports.forEach((name, r) -> {
      ObjectNode run = root.putObject(name);
      run.put("sloViolationFraction", r.sloViolationFraction());
      run.put("instanceHours", r.instanceHours());
      run.put("scalingActions", r.scalingActions());
      run.put("underProvisioningAccuracy", r.underProvisioningAccuracy());
      run.put("overProvisioningAccuracy", r.overProvisioningAccuracy());
      run.put("underProvisioningTimeshare", r.underProvisioningTimeshare());
      run.put("overProvisioningTimeshare", r.overProvisioningTimeshare());
      run.put("instability", r.instability());
    });
    return root;
  }

  /** {@link #toJson()} as text. */
  public String json() {
    return toJson().toString();
  }

  /**
   * A table for people: a heading naming the trace and model, then a row per run: SLO-violation time in
   * percent, instance-hours, scaling actions, and the SPEC metrics of {@link Report} in percent
   * ({@code accU}/{@code accO} the under/over-provisioning accuracy theta, {@code timeU}/{@code timeO} the
   * timeshare tau, {@code instab} the instability upsilon).
   */
  public String table() {
    StringBuilder out = new StringBuilder();
    InstanceModel m = config.model();
    out.append(String.format(Locale.ROOT, "trace %s: %.1f days, peak %.1f rps (%d instances at the SLO)%n",
        trace.name(), trace.durationSeconds() / 86400, trace.peakRps(), m.demand(trace.peakRps())));
    out.append(String.format(Locale.ROOT, "model: %s; step %d s, evaluation every %d s%n", m,
        config.step().toSeconds(), config.evaluationInterval().toSeconds()));
    int width = 6;
    for (String name : reports.keySet()) {
      width = Math.max(width, name.length());
    }
    out.append(String.format(Locale.ROOT, "%-" + width + "s %10s %11s %8s %8s %8s %8s %8s %8s%n", "run", "SLO viol.",
        "inst-hours", "actions", "accU %", "accO %", "timeU %", "timeO %", "instab %"));
    String row = "%-" + width + "s %9.3f%% %11.1f %8d %8.2f %8.2f %8.2f %8.2f %8.2f%n";
    reports.forEach((name, r) -> out.append(String.format(Locale.ROOT, row, name, 100 * r.sloViolationFraction(),
        r.instanceHours(), r.scalingActions(), r.underProvisioningAccuracy(), r.overProvisioningAccuracy(),
        r.underProvisioningTimeshare(), r.overProvisioningTimeshare(), r.instability())));
    return out.toString();
  }
}
