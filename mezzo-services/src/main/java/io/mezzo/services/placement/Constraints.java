package io.mezzo.services.placement;

import io.mezzo.services.app.Constraint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides whether one more instance of an app may go on a candidate agent, given the agents its
 * instances already run on. Pure: the caller passes immutable views and applies the decision.
 *
 * <p>Semantics, after Marathon's documented operators; {@code v(a)} is the constraint field's value on
 * agent {@code a} ({@code hostname} / {@code @hostname}, or an attribute):
 * <ul>
 *   <li>UNIQUE: no placed instance has {@code v(candidate)}.
 *   <li>CLUSTER value: {@code v(candidate)} equals value; without a value, it equals the value of the
 *       instances already placed (any agent when none is placed yet).
 *   <li>GROUP_BY [n]: instances spread evenly over the values. The candidate is accepted when its value
 *       has no instance yet, or when at least {@code n} (default 0) values are in use and its value
 *       has the fewest instances. With {@code n} equal to the number of values, greedy placement keeps
 *       every group within one instance of each other.
 *   <li>LIKE regex / UNLIKE regex: {@code v(candidate)} matches / does not match the whole regex.
 *   <li>MAX_PER n: fewer than {@code n} placed instances have {@code v(candidate)}.
 *   <li>IS value: {@code v(candidate)} equals value.
 * </ul>
 * An agent without the attribute fails every operator except UNLIKE (nothing to be unlike), as in
 * Marathon. Values were checked by {@code AppValidator}; a malformed one here is a {@code BUG:}.
 *
 * <p>Stateless; thread-safe.
 */
public final class Constraints {
  private Constraints() {}

  /** Checks every constraint; the decision lists each one the candidate fails. */
  public static Decision evaluate(List<Constraint> constraints, AgentView candidate, List<AgentView> placed) {
    Objects.requireNonNull(candidate, "candidate");
    List<String> reasons = new ArrayList<>();
    for (Constraint c : constraints) {
      String why = check(c, candidate, placed);
      if (why != null) {
        reasons.add(candidate.hostname() + ": " + c.toArray() + " not met: " + why);
      }
    }
    return reasons.isEmpty() ? Decision.ACCEPT : new Decision(reasons);
  }

  /** Null when {@code c} holds, otherwise why not. */
  static String check(Constraint c, AgentView candidate, List<AgentView> placed) {
    String mine = candidate.valueOf(c.field());
    if (mine == null) {
      return switch (c.operator()) {
        case UNLIKE -> null;
        default -> "agent has no attribute " + c.field();
      };
    }
    return switch (c.operator()) {
      case UNIQUE -> count(placed, c.field(), mine) == 0 ? null
          : c.field() + " " + mine + " already runs an instance";
      case CLUSTER -> cluster(c, mine, placed);
      case GROUP_BY -> groupBy(c, mine, placed);
      case LIKE -> mine.matches(c.value()) ? null : c.field() + " " + mine + " does not match " + c.value();
      case UNLIKE -> mine.matches(c.value()) ? c.field() + " " + mine + " matches " + c.value() : null;
      case MAX_PER -> {
        int max = intValue(c);
        long n = count(placed, c.field(), mine);
        yield n < max ? null : c.field() + " " + mine + " already runs " + n + " instances (max " + max + ")";
      }
      case IS -> mine.equals(c.value()) ? null : c.field() + " is " + mine + ", not " + c.value();
    };
  }

  private static String cluster(Constraint c, String mine, List<AgentView> placed) {
    String target = c.value();
    if (target == null) {
      target = placed.stream().map(a -> a.valueOf(c.field())).filter(Objects::nonNull).findFirst().orElse(null);
    }
    return target == null || target.equals(mine) ? null
        : c.field() + " is " + mine + ", instances run on " + target;
  }

  private static String groupBy(Constraint c, String mine, List<AgentView> placed) {
    int minGroups = c.value() == null ? 0 : intValue(c);
    Map<String, Integer> groups = new HashMap<>();
    for (AgentView a : placed) {
      String v = a.valueOf(c.field());
      if (v != null) {
        groups.merge(v, 1, Integer::sum);
      }
    }
    Integer own = groups.get(mine);
    if (own == null) {
      return null;
    }
    if (groups.size() < minGroups) {
      return "only " + groups.size() + " of " + minGroups + " " + c.field() + " groups used, " + mine + " has one";
    }
    int fewest = groups.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
    return own == fewest ? null
        : c.field() + " " + mine + " has " + own + " instances, another group has " + fewest;
  }

  private static long count(List<AgentView> placed, String field, String value) {
    return placed.stream().filter(a -> value.equals(a.valueOf(field))).count();
  }

  private static int intValue(Constraint c) {
    try {
      return Integer.parseInt(c.value());
    } catch (NumberFormatException e) {
      throw new IllegalStateException("BUG: " + c.operator() + " value: \"" + c.value()
          + "\" (expected: an integer, checked by AppValidator)", e);
    }
  }
}
