package io.mezzo.balancer.algorithm;

/**
 * Consistent hashing with a Maglev lookup table (Eisenbud et al., "Maglev: A Fast and Reliable Software
 * Network Load Balancer", NSDI 2016, section 3.4), weighted as Envoy's Maglev load balancer does.
 *
 * <p>Each backend has a permutation of the {@code M} table slots, {@code (offset + j x skip) mod M} with
 * {@code offset} and {@code skip} from two hashes of its id ({@code M} prime, so every permutation visits
 * every slot). The table is filled in rounds: in each round a backend whose turn it is claims the next
 * free slot of its permutation, until all slots are taken. A backend's turn comes in proportion to its
 * weight (round {@code r} lets it hold {@code floor(r x weight / maxWeight)} slots), so its share of the
 * table, and of the keys, follows its weight. A key picks {@code table[mix(key) mod M]}: O(1), no
 * allocation. Because the table depends only on the set of ids and weights (not on their order or on
 * history), every balancer process builds the same table, and removing one of N backends moves close
 * to 1/N of the keys (the slots it held, plus a small number of others); adding it back restores the
 * table exactly.
 *
 * <p>{@code M} is the configured size (default 65537) or, when that is less than 100 x N, the next prime
 * above 100 x N. With exclusions (a retry), the walk continues to the following slots until a backend
 * that is not excluded: deterministic per key, and weighted like the table.
 *
 * <p>Thread: immutable after construction.
 */
final class Maglev implements Picker {
  /** Table entries are chars: at most 65535 backends per route. */
  static final int MAX_BACKENDS = 65535;
  private static final long OFFSET_SEED = 0x5bd1e995L;
  private static final long SKIP_SEED = 0x27d4eb2f165667c5L;

  private final BackendSet set;
  private final Backend[] backends;
  private final char[] table;

  Maglev(BackendSet set, int configuredSize) {
    this.set = set;
    this.backends = set.array();
    if (backends.length > MAX_BACKENDS) {
      throw new IllegalArgumentException("backends: " + backends.length + " (expected: <= " + MAX_BACKENDS
          + " for consistent_hash)");
    }
    int size = configuredSize;
    if ((long) size < 100L * backends.length) {
      size = nextPrime(100 * backends.length);
    }
    this.table = backends.length == 0 ? new char[0] : populate(backends, size);
  }

  private static char[] populate(Backend[] backends, int m) {
    int n = backends.length;
    long[] position = new long[n];
    long[] skip = new long[n];
    long maxWeight = 0;
    for (int i = 0; i < n; i++) {
      String id = backends[i].id();
      position[i] = Long.remainderUnsigned(HashKeys.ofChars(id, OFFSET_SEED), m);
      skip[i] = Long.remainderUnsigned(HashKeys.ofChars(id, SKIP_SEED), m - 1) + 1;
      maxWeight = Math.max(maxWeight, backends[i].weight());
    }
    char[] table = new char[m];
    boolean[] taken = new boolean[m];
    long[] held = new long[n];
    int filled = 0;
    for (long round = 1; filled < m; round++) {
      for (int i = 0; i < n && filled < m; i++) {
        if (round * backends[i].weight() < (held[i] + 1) * maxWeight) {
          continue; // not this backend's turn yet
        }
        int slot = (int) position[i];
        while (taken[slot]) {
          slot = (int) ((slot + skip[i]) % m);
        }
        taken[slot] = true;
        table[slot] = (char) i;
        position[i] = (slot + skip[i]) % m;
        held[i]++;
        filled++;
      }
    }
    return table;
  }

  @Override
  public Backend pick(PickContext ctx) {
    if (backends.length == 0) {
      return null;
    }
    int slot = (int) Long.remainderUnsigned(HashKeys.mix(ctx.hashKey()), table.length);
    Backend b = backends[table[slot]];
    if (!ctx.hasExclusions() || !ctx.excludes(b)) {
      return b;
    }
    boolean anyEligible = false;
    for (Backend candidate : backends) {
      if (!ctx.excludes(candidate)) {
        anyEligible = true;
        break;
      }
    }
    if (!anyEligible) {
      return null;
    }
    while (true) {
      slot = slot + 1 == table.length ? 0 : slot + 1;
      b = backends[table[slot]];
      if (!ctx.excludes(b)) {
        return b;
      }
    }
  }

  /** The table size in use. */
  int tableSize() {
    return table.length;
  }

  /** How many slots {@code index}-th backend holds (for tests). */
  int slotsOf(int index) {
    int count = 0;
    for (char c : table) {
      if (c == index) {
        count++;
      }
    }
    return count;
  }

  @Override
  public BackendSet backends() {
    return set;
  }

  static boolean isPrime(long n) {
    if (n < 2) {
      return false;
    }
    if (n % 2 == 0) {
      return n == 2;
    }
    for (long d = 3; d * d <= n; d += 2) {
      if (n % d == 0) {
        return false;
      }
    }
    return true;
  }

  static int nextPrime(int atLeast) {
    int candidate = Math.max(3, atLeast);
    while (!isPrime(candidate)) {
      candidate++;
    }
    return candidate;
  }

  @Override
  public String toString() {
    return "Maglev(M=" + table.length + ")" + set;
  }
}
