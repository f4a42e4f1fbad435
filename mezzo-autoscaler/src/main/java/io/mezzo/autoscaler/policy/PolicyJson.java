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
import java.util.function.Function;
import java.util.function.Predicate;
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
    int min = member(n, p, "minInstances", INTEGER, ScalingPolicy.DEFAULT_MIN_INSTANCES);
    int max = required(n, p, "maxInstances", INTEGER, Integer.MAX_VALUE);
    List<TargetSpec> metrics = new ArrayList<>();
    List<JsonNode> items = member(n, p, "metrics", ARRAY, List.of());
    for (int i = 0; i < items.size(); i++) {
      metrics.add(metric(items.get(i), p + ".metrics[" + i + "]"));
    }
    List<StepSpec> steps = new ArrayList<>();
    items = member(n, p, "steps", ARRAY, List.of());
    for (int i = 0; i < items.size(); i++) {
      steps.add(step(items.get(i), p + ".steps[" + i + "]"));
    }
    List<ScheduleSpec> schedules = new ArrayList<>();
    items = member(n, p, "schedules", ARRAY, List.of());
    for (int i = 0; i < items.size(); i++) {
      schedules.add(schedule(items.get(i), p + ".schedules[" + i + "]"));
    }
    PredictiveSpec predictive = absent(n.get("predictive")) ? null : predictive(n.get("predictive"),
        p + ".predictive", metrics);
    BehaviorSpec behavior = behavior(n.get("behavior"), p + ".behavior");
    int cooldown = member(n, p, "cooldownSeconds", INTEGER, ScalingPolicy.DEFAULT_COOLDOWN_SECONDS);
    int cpuInit = member(n, p, "cpuInitializationSeconds", INTEGER, ScalingPolicy.DEFAULT_CPU_INITIALIZATION_SECONDS);
    int evaluation = member(n, p, "evaluationSeconds", INTEGER, ScalingPolicy.DEFAULT_EVALUATION_SECONDS);
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
    String name = required(n, p, "name", TEXT, null);
    double target = required(n, p, "target", NUMBER, 1.0);
    return new TargetSpec(name, target, member(n, p, "tolerance", NUMBER, ScalingPolicy.DEFAULT_TOLERANCE));
  }

  private StepSpec step(JsonNode n, String p) {
    if (!object(n, p)) {
      return new StepSpec(null, List.of());
    }
    known(n, p, Set.of("metric", "thresholds"));
    String metric = required(n, p, "metric", TEXT, null);
    List<ThresholdSpec> thresholds = new ArrayList<>();
    List<JsonNode> items = required(n, p, "thresholds", ARRAY, List.of());
    for (int i = 0; i < items.size(); i++) {
      ThresholdSpec t = threshold(items.get(i), p + ".thresholds[" + i + "]");
      if (t != null) {
        thresholds.add(t);
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
    double bound = member(n, p, above ? "above" : "below", NUMBER, 0.0);
    Unit unit = instances ? Unit.INSTANCES : Unit.PERCENT;
    double change = member(n, p, instances ? "change" : "changePercent", NUMBER, above ? 1.0 : -1.0);
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
      List<JsonNode> items = member(n, p, "days", ARRAY, List.of());
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
    LocalTime from = required(n, p, "from") ? parsed(n, p, "from", PolicyJson::time, TIME, LocalTime.MIDNIGHT)
        : LocalTime.MIDNIGHT;
    LocalTime to = required(n, p, "to") ? parsed(n, p, "to", PolicyJson::time, TIME, LocalTime.MIDNIGHT)
        : LocalTime.MIDNIGHT;
    ZoneId zone = parsed(n, p, "zone", PolicyJson::zone, "a time zone such as Europe/Paris or UTC", ZoneOffset.UTC);
    int min = required(n, p, "minInstances", INTEGER, 1);
    String name = member(n, p, "name", TEXT, null);
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
    String metric = required(n, p, "metric", TEXT, null);
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
      target = member(n, p, "target", NUMBER, 1.0);
    }
    return new PredictiveSpec(metric, target,
        member(n, p, "horizonSeconds", INTEGER, DEFAULT_HORIZON_SECONDS),
        member(n, p, "seasonSeconds", INTEGER, DEFAULT_SEASON_SECONDS),
        member(n, p, "levelSmoothing", NUMBER, PredictiveSpec.DEFAULT_LEVEL_SMOOTHING),
        member(n, p, "trendSmoothing", NUMBER, PredictiveSpec.DEFAULT_TREND_SMOOTHING),
        member(n, p, "seasonSmoothing", NUMBER, PredictiveSpec.DEFAULT_SEASON_SMOOTHING),
        member(n, p, "rampWindowSeconds", INTEGER, 0));
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
    int window = member(n, p, "stabilizationWindowSeconds", INTEGER, dflt.stabilizationWindowSeconds());
    List<RateSpec> policies = dflt.policies();
    if (!absent(n.get("policies"))) {
      policies = new ArrayList<>();
      List<JsonNode> items = member(n, p, "policies", ARRAY, List.of());
      for (int i = 0; i < items.size(); i++) {
        RateSpec r = rate(items.get(i), p + ".policies[" + i + "]");
        if (r != null) {
          policies.add(r);
        }
      }
    }
    Select select = parsed(n, p, "selectPolicy", PolicyJson::select, "Max, Min or Disabled", dflt.selectPolicy());
    return new DirectionSpec(window, policies, select);
  }

  private RateSpec rate(JsonNode n, String p) {
    if (!object(n, p)) {
      return null;
    }
    known(n, p, Set.of("type", "value", "periodSeconds"));
    RateType type = required(n, p, "type")
        ? parsed(n, p, "type", PolicyJson::rateType, "Instances or Percent", RateType.PERCENT) : RateType.PERCENT;
    int value = required(n, p, "value", INTEGER, 1);
    int period = required(n, p, "periodSeconds", INTEGER, 15);
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

  /**
   * What a member's JSON value must be: {@code expected} names it in a problem, {@code accepts} tells a
   * value of that kind, {@code value} converts one.
   */
  private record Kind<T>(String expected, Predicate<JsonNode> accepts, Function<JsonNode, T> value) {}

  private static final Kind<Integer> INTEGER = new Kind<>("an integer",
      v -> v.isIntegralNumber() && v.canConvertToInt(), JsonNode::intValue);
  private static final Kind<Double> NUMBER = new Kind<>("a number", JsonNode::isNumber, JsonNode::doubleValue);
  private static final Kind<String> TEXT = new Kind<>("a string", JsonNode::isTextual, JsonNode::textValue);
  private static final Kind<List<JsonNode>> ARRAY = new Kind<>("an array", JsonNode::isArray, v -> {
    List<JsonNode> items = new ArrayList<>();
    v.forEach(items::add);
    return items;
  });
  private static final String TIME = "a time HH:MM, 00:00 to 24:00";

  /**
   * Member {@code field} of {@code n} as {@code kind}; {@code dflt} when it is absent, or when it is of
   * another kind ({@code p.field: VALUE (expected: KIND)} is recorded).
   */
  private <T> T member(JsonNode n, String p, String field, Kind<T> kind, T dflt) {
    JsonNode v = n.get(field);
    if (absent(v)) {
      return dflt;
    }
    if (!kind.accepts().test(v)) {
      shape(p + "." + field, p + "." + field + ": " + v + " (expected: " + kind.expected() + ")");
      return dflt;
    }
    return kind.value().apply(v);
  }

  /** As {@link #member}, and an absent member is a problem too; {@code placeholder} stands in for a bad one. */
  private <T> T required(JsonNode n, String p, String field, Kind<T> kind, T placeholder) {
    return required(n, p, field) ? member(n, p, field, kind, placeholder) : placeholder;
  }

  /**
   * A string member read by {@code parse} (null: not one it knows); {@code dflt} when absent or bad, a
   * string it does not know being recorded as {@code p.field: "TEXT" (expected: EXPECTED)}.
   */
  private <T> T parsed(JsonNode n, String p, String field, Function<String, T> parse, String expected, T dflt) {
    String text = member(n, p, field, TEXT, null);
    if (text == null) {
      return dflt;
    }
    T value = parse.apply(text);
    if (value == null) {
      shape(p + "." + field, p + "." + field + ": \"" + text + "\" (expected: " + expected + ")");
      return dflt;
    }
    return value;
  }

  private static LocalTime time(String text) {
    if (text.equals("24:00")) {
      return LocalTime.MIDNIGHT;
    }
    try {
      return LocalTime.parse(text);
    } catch (DateTimeParseException bad) {
      return null;
    }
  }

  private static ZoneId zone(String name) {
    try {
      return ZoneId.of(name);
    } catch (DateTimeException bad) {
      return null;
    }
  }

  private static Select select(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "max" -> Select.MAX;
      case "min" -> Select.MIN;
      case "disabled" -> Select.DISABLED;
      default -> null;
    };
  }

  private static RateType rateType(String name) {
    return switch (name) {
      case "Instances", "Pods" -> RateType.INSTANCES;
      case "Percent" -> RateType.PERCENT;
      default -> null;
    };
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
