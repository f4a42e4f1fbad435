package io.mezzo.core.model;

/** The id of an offer ({@code offer_id} on the wire); immutable and validated, see {@link Ids}. */
public record OfferId(String value) {
  public OfferId {
    Ids.check("offer_id", value);
  }

  public static OfferId of(String value) {
    return new OfferId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
