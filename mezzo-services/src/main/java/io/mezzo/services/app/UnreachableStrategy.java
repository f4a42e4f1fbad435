package io.mezzo.services.app;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Map;

/**
 * What happens to an unreachable instance: after {@code inactiveAfterSeconds} a replacement is
 * launched, after {@code expungeAfterSeconds} the instance is forgotten (and killed if it returns).
 * {@link #DISABLED} (JSON {@code "disabled"}) never replaces it. Invariant when enabled:
 * {@code 1 <= inactiveAfterSeconds <= expungeAfterSeconds} (Marathon's API schema).
 */
public record UnreachableStrategy(boolean enabled, long inactiveAfterSeconds, long expungeAfterSeconds) {
  public static final UnreachableStrategy DISABLED = new UnreachableStrategy(false, 0, 0);
  /** Marathon's documented defaults. */
  public static final UnreachableStrategy DEFAULT = new UnreachableStrategy(true, 300, 600);

  @JsonValue
  Object toJson() {
    return enabled
        ? Map.of("inactiveAfterSeconds", inactiveAfterSeconds, "expungeAfterSeconds", expungeAfterSeconds)
        : "disabled";
  }
}
