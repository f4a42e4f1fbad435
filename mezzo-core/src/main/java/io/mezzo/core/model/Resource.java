package io.mezzo.core.model;

import java.util.List;

/**
 * One resource in the Mesos v1 JSON shape, as frameworks send and receive it:
 * {@code {"name":"cpus","type":"SCALAR","scalar":{"value":1.5},"role":"*"}} or
 * {@code {"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31000,"end":31009}]}}}.
 *
 * <p>This is the wire form only; arithmetic happens on {@link Resources}.
 */
public record Resource(
    String name, Type type, Scalar scalar, RangeList ranges, ItemSet set, String role) {

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

  public static Resource scalar(String name, double value) {
    return new Resource(name, Type.SCALAR, new Scalar(value), null, null, "*");
  }

  public static Resource ranges(String name, List<Range> ranges) {
    return new Resource(name, Type.RANGES, null, new RangeList(List.copyOf(ranges)), null, "*");
  }
}
