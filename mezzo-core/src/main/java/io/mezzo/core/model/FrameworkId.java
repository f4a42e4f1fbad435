package io.mezzo.core.model;

/** The id of a framework ({@code framework_id} on the wire); immutable and validated, see {@link Ids}. */
public record FrameworkId(String value) {
  public FrameworkId {
    Ids.check("framework_id", value);
  }

  public static FrameworkId of(String value) {
    return new FrameworkId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
