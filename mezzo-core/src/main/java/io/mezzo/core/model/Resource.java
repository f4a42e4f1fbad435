package io.mezzo.core.model;

import java.util.List;

/**
 * One resource in the Mesos v1 JSON shape, as frameworks and agents send and receive it:
 * {@code {"name":"cpus","type":"SCALAR","scalar":{"value":1.5}}},
 * {@code {"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31000,"end":31009}]}}}, or a
 * reserved one: {@code {"name":"mem","type":"SCALAR","scalar":{"value":512},
 * "reservations":[{"type":"STATIC","role":"eng"},{"type":"DYNAMIC","role":"eng/web","principal":"ops"}]}}.
 *
 * <p>Reservations use Mesos's refined format: a stack whose last entry is the role the resource is
 * reserved to. The legacy {@code role} field is read too: {@code "role":"eng"} without
 * {@code reservations} means a static reservation for {@code eng}; {@code *} or absent means
 * unreserved. {@code allocationInfo} is the role an offered resource is allocated to (MULTI_ROLE
 * frameworks); it passes through and plays no part in arithmetic.
 *
 * <p>This is the wire form only; arithmetic happens on {@link Resources}.
 */
public record Resource(
    String name,
    Type type,
    Scalar scalar,
    RangeList ranges,
    ItemSet set,
    String role,
    List<ReservationInfo> reservations,
    Offer.AllocationInfo allocationInfo) {

  /** The legacy shape, without reservations or allocation info. */
  public Resource(String name, Type type, Scalar scalar, RangeList ranges, ItemSet set, String role) {
    this(name, type, scalar, ranges, set, role, null, null);
  }

  /** The value type of a resource. */
  public enum Type {
    SCALAR,
    RANGES,
    SET
  }

  /** A scalar value. */
  public record Scalar(double value) {}

  /** One inclusive range. */
  public record Range(long begin, long end) {}

  /** A list of ranges ({@code {"range":[...]}}). */
  public record RangeList(List<Range> range) {}

  /** A set of text items ({@code {"item":[...]}}). */
  public record ItemSet(List<String> item) {}

  /** How a reservation was made: by the agent's configuration or by an operation. */
  public enum ReservationType {
    STATIC,
    DYNAMIC
  }

  /** One entry of a reservation stack; {@code principal} is optional. */
  public record ReservationInfo(ReservationType type, String role, String principal) {
    public static ReservationInfo staticFor(String role) {
      return new ReservationInfo(ReservationType.STATIC, role, null);
    }

    public static ReservationInfo dynamicFor(String role, String principal) {
      return new ReservationInfo(ReservationType.DYNAMIC, role, principal);
    }
  }

  public static Resource scalar(String name, double value) {
    return new Resource(name, Type.SCALAR, new Scalar(value), null, null, "*");
  }

  public static Resource ranges(String name, List<Range> ranges) {
    return new Resource(name, Type.RANGES, null, new RangeList(List.copyOf(ranges)), null, "*");
  }
}
