package io.mezzo.autoscaler;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A scaler's answer for one evaluation, with its explanation: the count it wants ({@code desired}),
 * what each policy proposed, and the limit or window that changed the proposal, if any. Immutable.
 *
 * @param at the evaluation time
 * @param current the count before the decision
 * @param desired the count to have after it
 * @param proposals each policy's proposal, in evaluation order
 * @param limitedBy what bounded the result ({@code "maxInstances"}, {@code "scaleDown stabilization
 *     window 300s"}, {@code "cooldown"}, ...), or null when nothing did
 * @param reason one line for people: {@code "cpu 0.92 over target 0.60 on 4 ready: 7"}
 */
public record Decision(Instant at, int current, int desired, List<Proposal> proposals, String limitedBy,
    String reason) {
  public Decision {
    Objects.requireNonNull(at, "at");
    if (desired < 0) {
      throw new IllegalArgumentException("desired: " + desired + " (expected: >= 0)");
    }
    proposals = List.copyOf(proposals);
    Objects.requireNonNull(reason, "reason");
  }

  /** Whether the count changes. */
  public boolean changes() {
    return desired != current;
  }

  /**
   * One policy's proposal.
   *
   * @param policy the policy ({@code "targetTracking cpu"}, {@code "step rps"}, {@code "schedule weekdays"},
   *     {@code "predictive rps"})
   * @param instances the count it asks for, or -1 when it abstains (a missing metric, say)
   * @param detail its inputs in a few words
   */
  public record Proposal(String policy, int instances, String detail) {
    public Proposal {
      Objects.requireNonNull(policy, "policy");
      Objects.requireNonNull(detail, "detail");
    }
  }
}
