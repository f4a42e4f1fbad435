package io.mezzo.services.deploy;

import io.mezzo.services.app.KillSelection;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The order in which members are picked for removal: unhealthy ones before healthy ones (removing them
 * costs no capacity), then by the app's {@link KillSelection}. {@code YOUNGEST_FIRST} puts members that
 * have not started yet (null {@code startedAt}) first, then the latest started; {@code OLDEST_FIRST} is
 * the opposite. Ties are broken by id so that a decision never depends on the order of its input.
 * Stateless.
 */
final class KillOrder {

  private static final Comparator<Instant> LATEST_FIRST =
      Comparator.nullsFirst(Comparator.<Instant>reverseOrder());
  private static final Comparator<Instant> EARLIEST_FIRST =
      Comparator.nullsLast(Comparator.<Instant>naturalOrder());

  private KillOrder() {}

  static Comparator<Member> of(KillSelection selection) {
    Comparator<Instant> byStart = switch (selection) {
      case YOUNGEST_FIRST -> LATEST_FIRST;
      case OLDEST_FIRST -> EARLIEST_FIRST;
    };
    return Comparator.comparing(Member::healthy)
        .thenComparing(Member::startedAt, byStart)
        .thenComparing(Member::id);
  }

  /** The first {@code count} of {@code members} in removal order. */
  static List<Member> firstToGo(List<Member> members, int count, KillSelection selection) {
    return members.stream().sorted(of(selection)).limit(Math.max(0, count)).toList();
  }

  /** Checks that no id appears twice among {@code members}, naming {@code field} otherwise. */
  static void requireDistinctIds(String field, List<Member> members, Set<String> seen) {
    for (Member m : members) {
      if (!seen.add(m.id())) {
        throw new IllegalArgumentException(field + ": " + m.id() + " (expected: each instance id once)");
      }
    }
  }
}
