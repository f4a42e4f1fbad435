package io.mezzo.master.operator;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.http.HttpError;
import io.mezzo.core.model.AgentId;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Mesos v1 operator call ({@code mesos.v1.master.Call}) in its JSON shape, as far as Mezzo serves
 * it. Reading checks only the shape; the accessors below validate each call's body and throw
 * {@link HttpError} 400s that name the field, the bad value and what was expected. Immutable.
 */
public record OperatorCall(
    Type type,
    DrainAgent drainAgent,
    AgentRef deactivateAgent,
    AgentRef reactivateAgent,
    UpdateQuota updateQuota,
    UpdateWeights updateWeights) {

  /** The call types Mezzo serves; any other is refused with this list. */
  public enum Type {
    GET_HEALTH,
    GET_VERSION,
    GET_METRICS,
    GET_STATE,
    GET_AGENTS,
    GET_EXECUTORS,
    GET_OPERATIONS,
    GET_FRAMEWORKS,
    GET_TASKS,
    GET_ROLES,
    GET_WEIGHTS,
    UPDATE_WEIGHTS,
    GET_QUOTA,
    UPDATE_QUOTA,
    SUBSCRIBE,
    DRAIN_AGENT,
    DEACTIVATE_AGENT,
    REACTIVATE_AGENT
  }

  /** {@code {"agent_id": {"value": ...}}}. */
  public record AgentRef(AgentId agentId) {}

  /** {@code max_grace_period} is a protobuf Duration: {@code "1.5s"} or {@code {"seconds":1,"nanos":5e8}}. */
  public record DrainAgent(AgentId agentId, JsonNode maxGracePeriod, Boolean markGone) {}

  /** The Mesos 1.9+ quota update. */
  public record UpdateQuota(List<QuotaConfig> quotaConfigs, Boolean force) {}

  /** Scalars are {@code {"cpus": {"value": 1}}} as in the protobuf map; a bare number is accepted too. */
  public record QuotaConfig(String role, Map<String, JsonNode> guarantees, Map<String, JsonNode> limits) {}

  public record UpdateWeights(List<WeightInfo> weightInfos) {}

  public record WeightInfo(String role, Double weight) {}

  /** A validated drain order. */
  public record Drain(AgentId agentId, Long maxGracePeriodNanos, boolean markGone) {}

  private static final Pattern DURATION = Pattern.compile("(-?\\d+(?:\\.\\d{1,9})?)s");

  // ---------------------------------------------------------------- validation

  public Drain drain() {
    DrainAgent d = body(drainAgent, "drain_agent");
    AgentId id = agentId(d.agentId(), "drain_agent.agent_id");
    Long grace = d.maxGracePeriod() == null || d.maxGracePeriod().isNull()
        ? null : durationNanos(d.maxGracePeriod(), "drain_agent.max_grace_period");
    return new Drain(id, grace, Boolean.TRUE.equals(d.markGone()));
  }

  public AgentId deactivateAgentId() {
    return agentId(body(deactivateAgent, "deactivate_agent").agentId(), "deactivate_agent.agent_id");
  }

  public AgentId reactivateAgentId() {
    return agentId(body(reactivateAgent, "reactivate_agent").agentId(), "reactivate_agent.agent_id");
  }

  public boolean forceQuota() {
    return Boolean.TRUE.equals(body(updateQuota, "update_quota").force());
  }

  /** The validated quota configs by role; each role at most once. */
  public Map<String, RoleConfigs.Quota> quotas() {
    UpdateQuota u = body(updateQuota, "update_quota");
    if (u.quotaConfigs() == null || u.quotaConfigs().isEmpty()) {
      throw HttpError.badRequest("update_quota.quota_configs: missing (expected: at least one quota config)");
    }
    Map<String, RoleConfigs.Quota> out = new LinkedHashMap<>();
    for (int i = 0; i < u.quotaConfigs().size(); i++) {
      String where = "update_quota.quota_configs[" + i + "]";
      QuotaConfig c = u.quotaConfigs().get(i);
      if (c == null) {
        throw HttpError.badRequest(where + ": null (expected: a quota config)");
      }
      String role = role(c.role(), where + ".role");
      if (out.containsKey(role)) {
        throw HttpError.badRequest(where + ".role: '" + role + "' appears more than once (expected: one config per role)");
      }
      Map<String, Double> guarantees = scalars(c.guarantees(), where + ".guarantees");
      Map<String, Double> limits = scalars(c.limits(), where + ".limits");
      guarantees.forEach((name, g) -> {
        Double limit = limits.get(name);
        if (limit != null && g > limit) {
          throw HttpError.badRequest(where + ".guarantees." + name + ": " + g + " (expected: <= limits." + name
              + " " + limit + ")");
        }
      });
      out.put(role, new RoleConfigs.Quota(guarantees, limits));
    }
    return out;
  }

  /** The validated weights by role. */
  public Map<String, Double> weights() {
    UpdateWeights u = body(updateWeights, "update_weights");
    if (u.weightInfos() == null || u.weightInfos().isEmpty()) {
      throw HttpError.badRequest("update_weights.weight_infos: missing (expected: at least one weight info)");
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < u.weightInfos().size(); i++) {
      String where = "update_weights.weight_infos[" + i + "]";
      WeightInfo w = u.weightInfos().get(i);
      if (w == null) {
        throw HttpError.badRequest(where + ": null (expected: a weight info)");
      }
      String role = role(w.role(), where + ".role");
      if (w.weight() == null) {
        throw HttpError.badRequest(where + ".weight: missing (expected: a number > 0)");
      }
      if (!(w.weight() > 0) || w.weight().isInfinite()) {
        throw HttpError.badRequest(where + ".weight: " + w.weight() + " (expected: a finite number > 0)");
      }
      if (out.put(role, w.weight()) != null) {
        throw HttpError.badRequest(where + ".role: '" + role + "' appears more than once (expected: one weight per role)");
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- helpers

  private <T> T body(T value, String field) {
    if (value == null) {
      throw HttpError.badRequest(field + ": missing (expected: the body of a " + type + " call)");
    }
    return value;
  }

  private static AgentId agentId(AgentId id, String field) {
    if (id == null) {
      throw HttpError.badRequest(field + ": missing (expected: {\"value\": \"<agent id>\"})");
    }
    return id;
  }

  /** Role names as Mesos allows them for quota and weights: not {@code *}, no path tricks or spaces. */
  static String role(String role, String field) {
    if (role == null || role.isEmpty()) {
      throw HttpError.badRequest(field + ": missing (expected: a role name)");
    }
    if (role.equals("*") || role.equals(".") || role.equals("..") || role.startsWith("-")
        || role.chars().anyMatch(ch -> ch <= ' ' || ch == '/' || ch == '\\' || ch == 127)) {
      throw HttpError.badRequest(field + ": '" + role + "' (expected: a role name other than '*', '.' and '..',"
          + " not starting with '-', without spaces or slashes)");
    }
    return role;
  }

  private static Map<String, Double> scalars(Map<String, JsonNode> in, String field) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (in == null) {
      return out;
    }
    Set<String> seen = new HashSet<>();
    for (Map.Entry<String, JsonNode> e : in.entrySet()) {
      String name = e.getKey();
      String where = field + "." + name;
      if (name.isBlank() || !seen.add(name)) {
        throw HttpError.badRequest(where + ": bad resource name (expected: a scalar resource name such as cpus)");
      }
      JsonNode v = e.getValue();
      JsonNode number = v != null && v.isObject() ? v.get("value") : v;
      if (number == null || !number.isNumber()) {
        throw HttpError.badRequest(where + ": " + v + " (expected: {\"value\": <number >= 0>})");
      }
      double d = number.asDouble();
      if (!(d >= 0) || Double.isInfinite(d)) {
        throw HttpError.badRequest(where + ": " + d + " (expected: a finite number >= 0)");
      }
      out.put(name, d);
    }
    return out;
  }

  /** Reads a protobuf Duration in either JSON form; negative durations are refused. */
  static long durationNanos(JsonNode node, String field) {
    long nanos;
    if (node.isTextual()) {
      Matcher m = DURATION.matcher(node.asText().trim());
      if (!m.matches()) {
        throw HttpError.badRequest(field + ": '" + node.asText() + "' (expected: a duration such as \"30s\" or \"1.5s\")");
      }
      try {
        nanos = new BigDecimal(m.group(1)).movePointRight(9).longValueExact();
      } catch (ArithmeticException e) {
        throw HttpError.badRequest(field + ": '" + node.asText() + "' (expected: a duration within +-292 years)");
      }
    } else if (node.isObject()) {
      JsonNode seconds = node.path("seconds");
      JsonNode n = node.path("nanos");
      boolean secondsOk = seconds.isMissingNode() || seconds.canConvertToLong() || seconds.isTextual();
      if (!secondsOk || !(n.isMissingNode() || n.isInt())) {
        throw HttpError.badRequest(field + ": " + node + " (expected: {\"seconds\": <integer>, \"nanos\": <integer>})");
      }
      try {
        long s = seconds.isMissingNode() ? 0 : seconds.isTextual() ? Long.parseLong(seconds.asText()) : seconds.asLong();
        nanos = Math.addExact(Math.multiplyExact(s, 1_000_000_000L), n.isMissingNode() ? 0 : n.asInt());
      } catch (ArithmeticException | NumberFormatException e) {
        throw HttpError.badRequest(field + ": " + node + " (expected: a duration within +-292 years)");
      }
    } else {
      throw HttpError.badRequest(field + ": " + node + " (expected: a duration such as \"30s\")");
    }
    if (nanos < 0) {
      throw HttpError.badRequest(field + ": " + node + " (expected: >= 0)");
    }
    return nanos;
  }

  static List<String> typeNames() {
    List<String> out = new ArrayList<>();
    for (Type t : Type.values()) {
      out.add(t.name());
    }
    return out;
  }
}
