package io.mezzo.master.allocator;

import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.Roles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The roles of one allocation cycle as a tree ordered for hierarchical DRF, with the quota
 * bookkeeping the cycle needs.
 *
 * <p>Every role met in the view (configured, subscribed to, or holding resources) is a node, with
 * its ancestors. A node's {@code alloc} is what its whole subtree holds (all reservations included);
 * its sort key is its dominant share over the cluster total divided by its weight. Frameworks
 * ("clients", one per framework and subscribed, unsuppressed role) hang off the leaves; a role that
 * has both child roles and frameworks of its own gets a pseudo child {@code role/.} (weight 1)
 * holding its own frameworks, so that they compete with the child roles as one sibling, as in
 * Mesos's hierarchical sorter. Children and clients sit in sorted sets; {@link #allocate} re-sorts
 * only the client that received resources and its ancestors.
 *
 * <p>Quota: {@code unmet(role) = max(guarantee - alloc, sum of the children's unmet)} per name, so a
 * parent's guarantee covers its subtree; {@link #required} is the sum over top-level roles, the
 * headroom that allocations outside quota must leave unallocated.
 *
 * <p>Mutable and confined to the {@link AllocationCycle} that built it.
 */
final class RoleTree {
  static final long UNLIMITED = Long.MAX_VALUE;

  private static final Comparator<Node> NODE_ORDER =
      Comparator.<Node>comparingDouble(n -> n.key).thenComparing(n -> n.name);
  private static final Comparator<Client> CLIENT_ORDER =
      Comparator.<Client>comparingDouble(c -> c.share).thenComparing(c -> c.framework.value());

  final Node root;
  final long[] required;
  final boolean hasQuota;
  private final Map<String, Node> nodes = new HashMap<>();
  private final List<Node> quotaTops = new ArrayList<>();
  private final double[] inverseTotal;
  private final int size;

  /** A role, or the pseudo node holding a role's own frameworks. */
  static final class Node {
    final String name;
    final Node parent;
    final boolean pseudo;
    final long[] alloc;
    double weight = 1;
    double key;
    long[] guarantee; // null: no guarantee
    long[] limit; // null: no limit; UNLIMITED for names without one
    long[] unmet; // null: no guarantee in the subtree
    boolean guaranteeInChain;
    boolean quotaRelated;
    boolean limitInChain;
    int clientsInSubtree;
    final List<Node> childList = new ArrayList<>();
    TreeSet<Node> children;
    final List<Client> clientList = new ArrayList<>();
    TreeSet<Client> clients;
    Node self;

    Node(String name, Node parent, boolean pseudo, int size) {
      this.name = name;
      this.parent = parent;
      this.pseudo = pseudo;
      this.alloc = new long[size];
    }

    /** The node whose clients are this role's own frameworks. */
    Node holder() {
      if (childList.isEmpty()) {
        return this;
      }
      if (self == null) {
        self = new Node(name + "/.", this, true, alloc.length);
        childList.add(self);
      }
      return self;
    }
  }

  /** One framework in one role: a candidate for offers. */
  static final class Client {
    final AllocationView.FrameworkView view;
    final FrameworkId framework;
    final Node role;
    final Node holder;
    final long[] alloc;
    double share;

    Client(AllocationView.FrameworkView view, Node role, Node holder, long[] alloc) {
      this.view = view;
      this.framework = view.id();
      this.role = role;
      this.holder = holder;
      this.alloc = alloc;
    }
  }

  RoleTree(AllocationView view, ScalarIndex index, long[] total) {
    size = total.length;
    root = new Node("", null, false, size);
    inverseTotal = new double[size];
    for (int i = 0; i < size; i++) {
      inverseTotal[i] = total[i] > 0 ? 1.0 / total[i] : 0;
    }
    required = new long[size];
    view.roles().keySet().forEach(this::node);
    for (AllocationView.FrameworkView f : view.frameworks()) {
      f.roles().forEach(this::node);
      f.allocated().keySet().forEach(this::node);
    }
    boolean quota = false;
    for (Map.Entry<String, AllocationView.RoleConfig> e : view.roles().entrySet()) {
      Node n = nodes.get(e.getKey());
      AllocationView.RoleConfig config = e.getValue();
      n.weight = config.weight();
      if (!config.guarantees().isEmpty()) {
        n.guarantee = new long[size];
        config.guarantees().forEach((name, v) -> n.guarantee[index.find(name)] = ScalarIndex.milli(v));
        quota |= Arrays.stream(n.guarantee).anyMatch(v -> v > 0);
      }
      if (!config.limits().isEmpty()) {
        n.limit = new long[size];
        Arrays.fill(n.limit, UNLIMITED);
        config.limits().forEach((name, v) -> n.limit[index.find(name)] = ScalarIndex.milli(v));
      }
    }
    hasQuota = quota;
    for (AllocationView.FrameworkView f : view.frameworks()) {
      f.allocated().forEach((role, held) -> {
        Node n = nodes.get(role);
        long[] d = amounts(held, index);
        for (Node x = n.holder(); x != root; x = x.parent) {
          add(x.alloc, d);
        }
      });
      for (String role : f.roles()) {
        if (!f.suppressedRoles().contains(role)) {
          Node n = nodes.get(role);
          Resources held = f.allocated().get(role);
          Client c = new Client(f, n, n.holder(), held == null ? new long[size] : amounts(held, index));
          c.share = share(c.alloc);
          c.holder.clientList.add(c);
        }
      }
    }
    seal(root, false, false);
    if (hasQuota) {
      for (Node top : root.childList) {
        if (computeUnmet(top) != null) {
          quotaTops.add(top);
        }
      }
      markQuotaRelated(root);
      recomputeRequired();
    }
  }

  private Node node(String role) {
    Node n = nodes.get(role);
    if (n == null) {
      String parentRole = Roles.parent(role);
      Node parent = parentRole == null ? root : node(parentRole);
      n = new Node(role, parent, false, size);
      parent.childList.add(n);
      nodes.put(role, n);
    }
    return n;
  }

  /** Computes keys and chain flags top-down and builds the sorted sets bottom-up. */
  private void seal(Node n, boolean limitAbove, boolean guaranteeAbove) {
    n.limitInChain = limitAbove || n.limit != null;
    n.guaranteeInChain = guaranteeAbove || n.guarantee != null;
    n.key = share(n.alloc) / n.weight;
    if (n.childList.isEmpty()) {
      n.clients = new TreeSet<>(CLIENT_ORDER);
      n.clients.addAll(n.clientList);
      n.clientsInSubtree = n.clients.size();
      return;
    }
    n.children = new TreeSet<>(NODE_ORDER);
    for (Node child : n.childList) {
      // a pseudo node has no config of its own: its frameworks share the parent's chain
      seal(child, n.limitInChain, n.guaranteeInChain);
      n.children.add(child);
      n.clientsInSubtree += child.clientsInSubtree;
    }
  }

  private long[] computeUnmet(Node n) {
    long[] sum = null;
    for (Node child : n.childList) {
      if (!child.pseudo) {
        long[] u = computeUnmet(child);
        if (u != null) {
          if (sum == null) {
            sum = new long[size];
          }
          add(sum, u);
        }
      }
    }
    if (n.guarantee == null && sum == null) {
      return null;
    }
    n.unmet = new long[size];
    fillUnmet(n, sum);
    return n.unmet;
  }

  private static void fillUnmet(Node n, long[] childSum) {
    for (int i = 0; i < n.unmet.length; i++) {
      long own = n.guarantee == null ? 0 : Math.max(0, n.guarantee[i] - n.alloc[i]);
      n.unmet[i] = Math.max(own, childSum == null ? 0 : childSum[i]);
    }
  }

  private boolean markQuotaRelated(Node n) {
    boolean below = false;
    if (n.children != null) {
      for (Node child : n.childList) {
        below |= markQuotaRelated(child);
      }
    }
    n.quotaRelated = n.guaranteeInChain || below;
    return n.quotaRelated;
  }

  private void recomputeRequired() {
    Arrays.fill(required, 0);
    for (Node top : quotaTops) {
      add(required, top.unmet);
    }
  }

  /** True when some role still has an unmet guarantee. */
  boolean quotaUnmet() {
    for (long r : required) {
      if (r > 0) {
        return true;
      }
    }
    return false;
  }

  /** True when a framework that could take resources reserved to {@code role} is in the tree. */
  boolean hasTakerFor(String role) {
    Node n = nodes.get(role);
    return n != null && n.clientsInSubtree > 0;
  }

  double share(long[] alloc) {
    return dominantShare(alloc, inverseTotal);
  }

  /**
   * DRF's dominant share: the largest {@code alloc[i] / total[i]}, given {@code inverseTotal[i] = 1 / total[i]}
   * (0 where the total is 0); {@code alloc} has at least as many entries as {@code inverseTotal}.
   */
  static double dominantShare(long[] alloc, double[] inverseTotal) {
    double max = 0;
    for (int i = 0; i < inverseTotal.length; i++) {
      double s = alloc[i] * inverseTotal[i];
      if (s > max) {
        max = s;
      }
    }
    return max;
  }

  /** Records that {@code c} received {@code delta} and re-sorts it and its ancestors. */
  void allocate(Client c, long[] delta) {
    Node h = c.holder;
    h.clients.remove(c);
    add(c.alloc, delta);
    c.share = share(c.alloc);
    h.clients.add(c);
    for (Node x = h; x != root; x = x.parent) {
      x.parent.children.remove(x);
      add(x.alloc, delta);
      x.key = share(x.alloc) / x.weight;
      x.parent.children.add(x);
    }
    if (hasQuota) {
      boolean changed = false;
      for (Node x = c.role; x != root; x = x.parent) {
        if (x.unmet != null) {
          long[] sum = new long[size];
          for (Node child : x.childList) {
            if (child.unmet != null) {
              add(sum, child.unmet);
            }
          }
          fillUnmet(x, sum);
          changed = true;
        }
      }
      if (changed) {
        recomputeRequired();
      }
    }
  }

  static long[] amounts(Resources r, ScalarIndex index) {
    long[] out = new long[index.size()];
    r.forEachScalar((name, v) -> {
      int i = index.find(name);
      if (i >= 0) {
        out[i] += ScalarIndex.milli(v);
      }
    });
    return out;
  }

  static void add(long[] into, long[] delta) {
    for (int i = 0; i < into.length && i < delta.length; i++) {
      into[i] += delta[i];
    }
  }
}
