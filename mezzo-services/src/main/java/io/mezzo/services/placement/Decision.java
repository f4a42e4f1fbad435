package io.mezzo.services.placement;

import java.util.List;

/**
 * The result of checking an offer against an app's constraints: accepted when {@link #reasons()} is
 * empty, otherwise one sentence per unmet constraint (shown in {@code /v2/queue}).
 */
public record Decision(List<String> reasons) {
  public static final Decision ACCEPT = new Decision(List.of());

  public Decision {
    reasons = List.copyOf(reasons);
  }

  public boolean accepted() {
    return reasons.isEmpty();
  }
}
