package io.mezzo.services.app;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One placement constraint, {@code [field, OPERATOR]} or {@code [field, OPERATOR, value]} in JSON.
 * {@code field} is {@code hostname} (or {@code @hostname}) or an agent attribute name; {@code value} is
 * null where the operator takes none. Values are checked by {@link AppValidator}; this record only
 * holds them.
 */
public record Constraint(String field, Operator operator, String value) {
  public Constraint {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(operator, "operator");
  }

  /** Marathon's array form. */
  @JsonValue
  public List<String> toArray() {
    List<String> out = new ArrayList<>(List.of(field, operator.name()));
    if (value != null) {
      out.add(value);
    }
    return out;
  }
}
