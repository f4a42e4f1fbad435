package io.mezzo.balancer.algorithm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of one route's backends, sorted by id (so that every balancer process, given
 * the same backends, builds the same consistent-hash table), ids unique.
 *
 * <p>Discovery replaces the snapshot wholesale: the first one comes from {@link #of} (every backend
 * counts as warm: a restarted balancer must not slow-start instances that have been serving for hours),
 * later ones from {@link #next}, which carries the {@link BackendStats} and join time of every backend
 * that stays and stamps the others as joined now. Pickers are then rebuilt from the new snapshot with
 * {@link Algorithm#newPicker}.
 *
 * <p>Thread: immutable; safe to share.
 */
public final class BackendSet {
  private static final BackendSet EMPTY = new BackendSet(new Backend[0]);

  private final Backend[] backends;

  private BackendSet(Backend[] sortedUnique) {
    this.backends = sortedUnique;
  }

  public static BackendSet empty() {
    return EMPTY;
  }

  /**
   * The first snapshot of a route: the backends as given, all warm.
   *
   * @throws IllegalArgumentException naming the id when two backends share one
   */
  public static BackendSet of(Collection<Backend> backends) {
    return new BackendSet(sorted(backends));
  }

  /**
   * The snapshot after a discovery change: {@code desired} in full, where a backend with the id, host and
   * port of one in this set keeps that one's stats and join time (its weight may change), and any other
   * is new, joined at {@code nowNanos}, with fresh stats.
   *
   * @throws IllegalArgumentException naming the id when two backends share one
   */
  public BackendSet next(Collection<Backend> desired, long nowNanos) {
    Map<String, Backend> current = new HashMap<>(backends.length * 2);
    for (Backend b : backends) {
      current.put(b.id(), b);
    }
    List<Backend> result = new ArrayList<>(desired.size());
    for (Backend d : desired) {
      Backend old = current.get(d.id());
      result.add(old != null && old.sameEndpoint(d) ? d.inheriting(old) : d.joinedAt(nowNanos));
    }
    return new BackendSet(sorted(result));
  }

  private static Backend[] sorted(Collection<Backend> backends) {
    Backend[] array = backends.toArray(new Backend[0]);
    Arrays.sort(array, Comparator.comparing(Backend::id));
    for (int i = 1; i < array.length; i++) {
      if (array[i].id().equals(array[i - 1].id())) {
        throw new IllegalArgumentException("backends: duplicate id '" + array[i].id() + "' (expected: unique ids)");
      }
    }
    return array;
  }

  public int size() {
    return backends.length;
  }

  public boolean isEmpty() {
    return backends.length == 0;
  }

  /** The {@code index}-th backend in id order. */
  public Backend get(int index) {
    return backends[index];
  }

  /** The backend with this id, or null. O(log n). */
  public Backend byId(String id) {
    int lo = 0;
    int hi = backends.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = backends[mid].id().compareTo(id);
      if (c == 0) {
        return backends[mid];
      } else if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return null;
  }

  /** The backends in id order (an unmodifiable copy). */
  public List<Backend> asList() {
    return List.of(backends);
  }

  /** The backing array for pickers in this package; never modified. */
  Backend[] array() {
    return backends;
  }

  @Override
  public String toString() {
    return Arrays.toString(backends);
  }
}
