package io.mezzo.autoscaler.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mezzo.autoscaler.policy.ScalingPolicy.BehaviorSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.DirectionSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.PredictiveSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.RateSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.RateType;
import io.mezzo.autoscaler.policy.ScalingPolicy.ScheduleSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.Select;
import io.mezzo.autoscaler.policy.ScalingPolicy.Side;
import io.mezzo.autoscaler.policy.ScalingPolicy.StepSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.TargetSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.ThresholdSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.Unit;
import io.mezzo.core.json.Json;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads and writes the {@code autoscaling} JSON shape (camelCase, as the rest of a Marathon app).
 * Reading collects the shape problems (wrong types, unknown or missing fields) and then the
 * {@link PolicyChecks} ones, dropping a range problem on a field whose shape was already reported, and
 * throws them all in one {@link PolicyException}. One reader per parse; not thread-safe (the static
 * entry points are).
 */
final class PolicyJson {
  static final int DEFAULT_HORIZON_SECONDS = 600;
  static final int DEFAULT_SEASON_SECONDS = 86_400;
  private static final Set<String> ROOT_FIELDS = Set.of("minInstances", "maxInstances", "metrics", "steps",
      "schedules", "predictive", "behavior", "cooldownSeconds", "cpuInitializationSeconds", "evaluationSeconds");

  private final Map<String, String> shapeProblems = new LinkedHashMap<>();

  private PolicyJson() {}

  static ScalingPolicy parse(String json) {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new PolicyException(List.of(PolicyChecks.ROOT + ": malformed JSON (" + e.getOriginalMessage() + ")"));
    }
    return read(node);
  }

  static ScalingPolicy read(JsonNode node) {
    if (node != null && node.isObject() && node.has("autoscaling")) {
      node = node.get("autoscaling");
    }
    return new PolicyJson().policy(node);
  }

  private ScalingPolicy policy(JsonNode n) {
    String p = PolicyChecks.ROOT;
    if (n == null || !n.isObject()) {
      throw new PolicyException(List.of(p + ": " + n + " (expected: a JSON object)"));
    }
    known(n, p, ROOT_FIELDS);
    int min = integer(n, p, "minInstances", ScalingPolicy.DEFAULT_MIN_INSTANCES);
    int max = required(n, p, "maxInstances") ? integer(n, p, "maxInstances", Integer.MAX_VALUE) : Integer.MAX_VALUE;
    List<TargetSpec> metrics = new ArrayList<>();
    List<JsonNode> items = array(n, p, "metrics");
    for (int i = 0; i < items.size(); i++) {
      metrics.add(metric(items.get(i), p + ".metrics[" + i + "]"));
    }
    List<StepSpec> steps = new ArrayList<>();
    items = array(n, p, "steps");
    for (int i = 0; i < items.size(); i++) {
      steps.add(step(items.get(i), p + ".steps[" + i + "]"));
    }
    List<ScheduleSpec> schedules = new ArrayList<>();
    items = array(n, p, "schedules");
    for (int i = 0; i < items.size(); i++) {
      schedules.add(schedule(items.get(i), p + ".schedules[" + i + "]"));
    }
    PredictiveSpec predictive = absent(n.get("predictive")) ? null : predictive(n.get("predictive"),
        p + ".predictive", metrics);
    BehaviorSpec behavior = behavior(n.get("behavior"), p + ".behavior");
    int cooldown = integer(n, p, "cooldownSeconds", ScalingPolicy.DEFAULT_COOLDOWN_SECONDS);
    int cpuInit = integer(n, p, "cpuInitializationSeconds", ScalingPolicy.DEFAULT_CPU_INITIALIZATION_SECONDS);
    int evaluation = integer(n, p, "evaluationSeconds", ScalingPolicy.DEFAULT_EVALUATION_SECONDS);
    List<String> semantic = List.of();
    ScalingPolicy policy = null;
    try {
      policy = new ScalingPolicy(min, max, metrics, steps, schedules, predictive, behavior, cooldown, cpuInit,
          evaluation);
    } catch (PolicyException bad) {
      semantic = bad.problems();
    }
    if (policy != null && shapeProblems.isEmpty()) {
      return policy;
    }
    Map<String, String> all = new LinkedHashMap<>(shapeProblems);
    for (String problem : semantic) {
      String path = problem.substring(0, problem.indexOf(": "));
      // a range problem caused by a placeholder: the field itself, or one of its elements, was reported
      boolean placeholder = shapeProblems.keySet().stream()
          .anyMatch(k -> k.equals(path) || k.startsWith(path + "[") || k.startsWith(path + "."));
      if (!placeholder) {
        all.put(path, problem);
      }
    }
    throw new PolicyException(List.copyOf(all.values()));
  }

  private TargetSpec metric(JsonNode n, String p) {
    if (!object(n, p)) {
      return new TargetSpec(null, 1, ScalingPolicy.DEFAULT_TOLERANCE);
    }
    known(n, p, Set.of("name", "target", "tolerance"));
    String name = required(n, p, "name") ? text(n, p, "name", null) : null;
    double target = required(n, p, "target") ? number(n, p, "target", 1) : 1;
    return new TargetSpec(name, target, number(n, p, "tolerance", ScalingPolicy.DEFAULT_TOLERANCE));
  }

  private StepSpec step(JsonNode n, String p) {
    if (!object(n, p)) {
      return new StepSpec(null, List.of());
    }
    known(n, p, Set.of("metric", "thresholds"));
    String metric = required(n, p, "metric") ? text(n, p, "metric", null) : null;
    List<ThresholdSpec> thresholds = new ArrayList<>();
    if (required(n, p, "thresholds")) {
      List<JsonNode> items = array(n, p, "thresholds");
      for (int i = 0; i < items.size(); i++) {
        ThresholdSpec t = threshold(items.get(i), p + ".thresholds[" + i + "]");
        if (t != null) {
          thresholds.add(t);
        }
      }
    }
    return new StepSpec(metric, thresholds);
  }

  private ThresholdSpec threshold(JsonNode n, String p) {
    if (!object(n, p)) {
      return null;
    }
    known(n, p, Set.of("above", "below", "change", "changePercent"));
    boolean above = !absent(n.get("above"));
    boolean below = !absent(n.get("below"));
    boolean instances = !absent(n.get("change"));
    boolean percent = !absent(n.get("changePercent"));
    if (above == below) {
      shape(p, p + ": " + n + " (expected: exactly one of 'above' or 'below')");
    }
    if (instances == percent) {
      shape(p, p + ": " + n + " (expected: exactly one of 'change' or 'changePercent')");
    }
    if (above == below || instances == percent) {
      return null;
    }
    Side side = above ? Side.ABOVE : Side.BELOW;
    double bound = number(n, p, above ? "above" : "below", 0);
    Unit unit = instances ? Unit.INSTANCES : Unit.PERCENT;
    double change = number(n, p, instances ? "change" : "changePercent", above ? 1 : -1);
    return new ThresholdSpec(side, bound, unit, change);
  }

  private ScheduleSpec schedule(JsonNode n, String p) {
    if (!object(n, p)) {
      return new ScheduleSpec("?", Set.of(DayOfWeek.MONDAY), LocalTime.MIDNIGHT, LocalTime.MIDNIGHT,
          ZoneOffset.UTC, 1);
    }
    known(n, p, Set.of("name", "days", "from", "to", "zone", "minInstances"));
    Set<DayOfWeek> days = EnumSet.allOf(DayOfWeek.class);
    if (!absent(n.get("days"))) {
      days = EnumSet.noneOf(DayOfWeek.class);
      List<JsonNode> items = array(n, p, "days");
      for (int i = 0; i < items.size(); i++) {
        DayOfWeek day = day(items.get(i));
        if (day == null) {
          shape(p + ".days[" + i + "]", p + ".days[" + i + "]: " + items.get(i)
              + " (expected: one of MON, TUE, WED, THU, FRI, SAT, SUN)");
        } else {
          days.add(day);
        }
      }
    }
    LocalTime from = required(n, p, "from") ? time(n, p, "from") : LocalTime.MIDNIGHT;
    LocalTime to = required(n, p, "to") ? time(n, p, "to") : LocalTime.MIDNIGHT;
    ZoneId zone = ZoneOffset.UTC;
    String zoneName = text(n, p, "zone", null);
    if (zoneName != null) {
      try {
        zone = ZoneId.of(zoneName);
      } catch (DateTimeException bad) {
        shape(p + ".zone", p + ".zone: \"" + zoneName + "\" (expected: a time zone such as Europe/Paris or UTC)");
      }
    }
    int min = required(n, p, "minInstances") ? integer(n, p, "minInstances", 1) : 1;
    String name = text(n, p, "name", null);
    if (name == null) {
      name = days.stream().map(d -> d.name().substring(0, 3)).collect(Collectors.joining(",")) + " " + from + "-"
          + to + " " + zone;
    }
    return new ScheduleSpec(name, days, from, to, zone, min);
  }

  private PredictiveSpec predictive(JsonNode n, String p, List<TargetSpec> metrics) {
    if (!object(n, p)) {
      return null;
    }
    known(n, p, Set.of("metric", "target", "horizonSeconds", "seasonSeconds", "levelSmoothing", "trendSmoothing",
        "seasonSmoothing", "rampWindowSeconds"));
    String metric = required(n, p, "metric") ? text(n, p, "metric", null) : null;
    double target;
    if (absent(n.get("target"))) {
      target = metrics.stream().filter(m -> m.name() != null && m.name().equals(metric)).findFirst()
          .map(TargetSpec::target).orElse(-1.0);
      if (target < 0) {
        shape(p + ".target", p + ".target: missing (expected: a number > 0, or a metrics entry for \""
            + metric + "\" to take it from)");
        target = 1;
      }
    } else {
      target = number(n, p, "target", 1);
    }
    return new PredictiveSpec(metric, target,
        integer(n, p, "horizonSeconds", DEFAULT_HORIZON_SECONDS),
        integer(n, p, "seasonSeconds", DEFAULT_SEASON_SECONDS),
        number(n, p, "levelSmoothing", PredictiveSpec.DEFAULT_LEVEL_SMOOTHING),
        number(n, p, "trendSmoothing", PredictiveSpec.DEFAULT_TREND_SMOOTHING),
        number(n, p, "seasonSmoothing", PredictiveSpec.DEFAULT_SEASON_SMOOTHING),
        integer(n, p, "rampWindowSeconds", 0));
  }

  private BehaviorSpec behavior(JsonNode n, String p) {
    if (absent(n)) {
      return BehaviorSpec.defaults();
    }
    if (!object(n, p)) {
      return BehaviorSpec.defaults();
    }
    known(n, p, Set.of("scaleUp", "scaleDown"));
    return new BehaviorSpec(direction(n.get("scaleUp"), p + ".scaleUp", DirectionSpec.defaultScaleUp()),
        direction(n.get("scaleDown"), p + ".scaleDown", DirectionSpec.defaultScaleDown()));
  }

  private DirectionSpec direction(JsonNode n, String p, DirectionSpec dflt) {
    if (absent(n) || !object(n, p)) {
      return dflt;
    }
    known(n, p, Set.of("stabilizationWindowSeconds", "policies", "selectPolicy"));
    int window = integer(n, p, "stabilizationWindowSeconds", dflt.stabilizationWindowSeconds());
    List<RateSpec> policies = dflt.policies();
    if (!absent(n.get("policies"))) {
      policies = new ArrayList<>();
      List<JsonNode> items = array(n, p, "policies");
      for (int i = 0; i < items.size(); i++) {
        RateSpec r = rate(items.get(i), p + ".policies[" + i + "]");
        if (r != null) {
          policies.add(r);
        }
      }
    }
    Select select = dflt.selectPolicy();
    String name = text(n, p, "selectPolicy", null);
    if (name != null) {
      select = switch (name.toLowerCase(Locale.ROOT)) {
        case "max" -> Select.MAX;
        case "min" -> Select.MIN;
        case "disabled" -> Select.DISABLED;
        default -> {
          shape(p + ".selectPolicy", p + ".selectPolicy: \"" + name + "\" (expected: Max, Min or Disabled)");
          yield dflt.selectPolicy();
        }
      };
    }
    return new DirectionSpec(window, policies, select);
  }

  private RateSpec rate(JsonNode n, String p) {
    if (!object(n, p)) {
      return null;
    }
    known(n, p, Set.of("type", "value", "periodSeconds"));
    RateType type = RateType.PERCENT;
    if (required(n, p, "type")) {
      String name = text(n, p, "type", "Percent");
      switch (name) {
        case "Instances", "Pods" -> type = RateType.INSTANCES;
        case "Percent" -> type = RateType.PERCENT;
        default -> shape(p + ".type", p + ".type: \"" + name + "\" (expected: Instances or Percent)");
      }
    }
    int value = required(n, p, "value") ? integer(n, p, "value", 1) : 1;
    int period = required(n, p, "periodSeconds") ? integer(n, p, "periodSeconds", 15) : 15;
    return new RateSpec(type, value, period);
  }

  // --- writing

  static ObjectNode write(ScalingPolicy policy) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode o = f.objectNode();
    o.put("minInstances", policy.minInstances());
    o.put("maxInstances", policy.maxInstances());
    ArrayNode metrics = o.putArray("metrics");
    for (TargetSpec m : policy.metrics()) {
      metrics.addObject().put("name", m.name()).put("target", m.target()).put("tolerance", m.tolerance());
    }
    ArrayNode steps = o.putArray("steps");
    for (StepSpec s : policy.steps()) {
      ObjectNode step = steps.addObject().put("metric", s.metric());
      ArrayNode thresholds = step.putArray("thresholds");
      for (ThresholdSpec t : s.thresholds()) {
        thresholds.addObject().put(t.side() == Side.ABOVE ? "above" : "below", t.bound())
            .put(t.unit() == Unit.INSTANCES ? "change" : "changePercent", t.change());
      }
    }
    ArrayNode schedules = o.putArray("schedules");
    for (ScheduleSpec s : policy.schedules()) {
      ObjectNode schedule = schedules.addObject().put("name", s.name());
      ArrayNode days = schedule.putArray("days");
      s.days().stream().sorted().forEach(d -> days.add(d.name().substring(0, 3)));
      schedule.put("from", s.from().toString()).put("to", s.to().toString()).put("zone", s.zone().getId())
          .put("minInstances", s.minInstances());
    }
    PredictiveSpec p = policy.predictive();
    if (p != null) {
      o.putObject("predictive").put("metric", p.metric()).put("target", p.target())
          .put("horizonSeconds", p.horizonSeconds()).put("seasonSeconds", p.seasonSeconds())
          .put("levelSmoothing", p.levelSmoothing()).put("trendSmoothing", p.trendSmoothing())
          .put("seasonSmoothing", p.seasonSmoothing()).put("rampWindowSeconds", p.rampWindowSeconds());
    }
    ObjectNode behavior = o.putObject("behavior");
    direction(behavior.putObject("scaleUp"), policy.behavior().scaleUp());
    direction(behavior.putObject("scaleDown"), policy.behavior().scaleDown());
    o.put("cooldownSeconds", policy.cooldownSeconds());
    o.put("cpuInitializationSeconds", policy.cpuInitializationSeconds());
    o.put("evaluationSeconds", policy.evaluationSeconds());
    return o;
  }

  private static void direction(ObjectNode o, DirectionSpec d) {
    o.put("stabilizationWindowSeconds", d.stabilizationWindowSeconds());
    ArrayNode policies = o.putArray("policies");
    for (RateSpec r : d.policies()) {
      policies.addObject().put("type", r.type() == RateType.INSTANCES ? "Instances" : "Percent")
          .put("value", r.value()).put("periodSeconds", r.periodSeconds());
    }
    String select = d.selectPolicy().name();
    o.put("selectPolicy", select.charAt(0) + select.substring(1).toLowerCase(Locale.ROOT));
  }

  // --- shape helpers: each records a problem and returns a placeholder the semantic checks accept

  private void shape(String path, String problem) {
    shapeProblems.putIfAbsent(path, problem);
  }

  private static boolean absent(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode();
  }

  private boolean object(JsonNode n, String p) {
    if (n == null || !n.isObject()) {
      shape(p, p + ": " + n + " (expected: a JSON object)");
      return false;
    }
    return true;
  }

  private void known(JsonNode n, String p, Set<String> fields) {
    n.fieldNames().forEachRemaining(name -> {
      if (!fields.contains(name)) {
        shape(p + "." + name, p + "." + name + ": unknown field (expected: one of "
            + fields.stream().sorted().toList() + ")");
      }
    });
  }

  private boolean required(JsonNode n, String p, String field) {
    if (absent(n.get(field))) {
      shape(p + "." + field, p + "." + field + ": missing (expected: a value)");
      return false;
    }
    return true;
  }

  private int integer(JsonNode n, String p, String field, int dflt) {
    JsonNode v = n.get(field);
    if (absent(v)) {
      return dflt;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      shape(p + "." + field, p + "." + field + ": " + v + " (expected: an integer)");
      return dflt;
    }
    return v.intValue();
  }

  private double number(JsonNode n, String p, String field, double dflt) {
    JsonNode v = n.get(field);
    if (absent(v)) {
      return dflt;
    }
    if (!v.isNumber()) {
      shape(p + "." + field, p + "." + field + ": " + v + " (expected: a number)");
      return dflt;
    }
    return v.doubleValue();
  }

  private String text(JsonNode n, String p, String field, String dflt) {
    JsonNode v = n.get(field);
    if (absent(v)) {
      return dflt;
    }
    if (!v.isTextual()) {
      shape(p + "." + field, p + "." + field + ": " + v + " (expected: a string)");
      return dflt;
    }
    return v.textValue();
  }

  private List<JsonNode> array(JsonNode n, String p, String field) {
    JsonNode v = n.get(field);
    List<JsonNode> out = new ArrayList<>();
    if (absent(v)) {
      return out;
    }
    if (!v.isArray()) {
      shape(p + "." + field, p + "." + field + ": " + v + " (expected: an array)");
      return out;
    }
    v.forEach(out::add);
    return out;
  }

  private LocalTime time(JsonNode n, String p, String field) {
    String text = text(n, p, field, null);
    if (text == null) {
      return LocalTime.MIDNIGHT;
    }
    if (text.equals("24:00")) {
      return LocalTime.MIDNIGHT;
    }
    try {
      return LocalTime.parse(text);
    } catch (DateTimeParseException bad) {
      shape(p + "." + field, p + "." + field + ": \"" + text + "\" (expected: a time HH:MM, 00:00 to 24:00)");
      return LocalTime.MIDNIGHT;
    }
  }

  private static DayOfWeek day(JsonNode node) {
    if (node == null || !node.isTextual()) {
      return null;
    }
    String name = node.textValue().toUpperCase(Locale.ROOT);
    for (DayOfWeek d : DayOfWeek.values()) {
      if (d.name().equals(name) || d.name().substring(0, 3).equals(name)) {
        return d;
      }
    }
    return null;
  }
}
