package io.mezzo.autoscaler.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mezzo.autoscaler.Decision;
import io.mezzo.autoscaler.MetricValue;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One app's recent decisions that changed its count or would have but for a limit, oldest first, at
 * most {@code capacity} of them (the oldest is dropped). A decision that changes nothing and repeats
 * the last one (same counts, same limit: a stabilization window holding for minutes) is folded into it,
 * counted in {@code repeats}, so that a long hold does not push out the changes. Not thread-safe: owned
 * by the autoscaler's loop.
 */
final class DecisionLog {
  /**
   * One recorded decision with its inputs.
   *
   * @param decision the scaler's decision (the first of a folded run)
   * @param lastAt the time of the last decision folded into it
   * @param repeats how many decisions it stands for
   * @param metrics the metric values the decision saw
   * @param notes why metrics were missing or stood in for, by metric
   * @param outcome what was done: {@code "scaled"}, {@code "held"} or why the change failed
   */
  record Entry(Decision decision, Instant lastAt, int repeats, Map<String, MetricValue> metrics,
      Map<String, String> notes, String outcome) {
    Entry {
      metrics = Map.copyOf(metrics);
      notes = Map.copyOf(notes);
    }

    boolean sameHold(Decision d) {
      return !decision.changes() && !d.changes() && decision.current() == d.current()
          && decision.desired() == d.desired() && Objects.equals(decision.limitedBy(), d.limitedBy());
    }
  }

  private final int capacity;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();

  DecisionLog(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
    }
    this.capacity = capacity;
  }

  /**
   * Records {@code e}, folding it into the last entry when both hold the same count for the same reason;
   * whether it made a new entry.
   */
  boolean add(Entry e) {
    Entry last = entries.peekLast();
    if (last != null && last.sameHold(e.decision())) {
      entries.pollLast();
      entries.addLast(new Entry(last.decision(), e.decision().at(), last.repeats() + 1, e.metrics(), e.notes(),
          e.outcome()));
      return false;
    }
    if (entries.size() == capacity) {
      entries.pollFirst();
    }
    entries.addLast(e);
    return true;
  }

  List<Entry> entries() {
    return new ArrayList<>(entries);
  }

  int size() {
    return entries.size();
  }

  /** An entry as the API shows it. */
  static ObjectNode json(Entry e) {
    ObjectNode o = decisionJson(e.decision());
    o.put("lastAt", e.lastAt().toString());
    o.put("repeats", e.repeats());
    o.set("metrics", metricsJson(e.metrics(), e.notes()));
    o.put("outcome", e.outcome());
    return o;
  }

  static ObjectNode decisionJson(Decision d) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("at", d.at().toString());
    o.put("current", d.current());
    o.put("desired", d.desired());
    if (d.limitedBy() == null) {
      o.putNull("limitedBy");
    } else {
      o.put("limitedBy", d.limitedBy());
    }
    o.put("reason", d.reason());
    ArrayNode proposals = o.putArray("proposals");
    for (Decision.Proposal p : d.proposals()) {
      proposals.addObject().put("policy", p.policy()).put("instances", p.instances()).put("detail", p.detail());
    }
    return o;
  }

  /** {@code {name: {value, instances}}} for the gathered metrics, {@code {name: {missing: why}}} for the others. */
  static ObjectNode metricsJson(Map<String, MetricValue> metrics, Map<String, String> notes) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    metrics.forEach((name, v) -> {
      ObjectNode m = o.putObject(name).put("value", v.value()).put("instances", v.instances());
      if (notes.containsKey(name)) {
        m.put("note", notes.get(name));
      }
    });
    notes.forEach((name, why) -> {
      if (!metrics.containsKey(name)) {
        o.putObject(name).put("missing", why);
      }
    });
    return o;
  }

  static JsonNode list(List<Entry> entries) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    entries.forEach(e -> a.add(json(e)));
    return a;
  }
}
