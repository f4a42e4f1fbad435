package io.mezzo.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A request rate over time: a sequence of segments, each going linearly from one rate to another
 * (equal for a constant stretch) over its length. It gives the open-loop schedule: with {@code N(t)}
 * the requests due by {@code t} (the integral of the rate), request {@code i} (from 0) is intended at
 * the {@code t} where {@code N(t) = i}, so a constant rate {@code r} puts it at {@code i / r} and a
 * ramp packs the requests closer as the rate rises. Immutable; rates are in requests per second.
 */
public final class RateProfile {
  private final List<Segment> segments;
  /** {@code requestsBefore[s]}: N at the start of segment {@code s}; one more entry, the total. */
  private final double[] requestsBefore;
  private final double[] secondsBefore;

  /** One stretch: {@code from} to {@code to} requests/s, linearly, over {@code seconds}. */
  private record Segment(double from, double to, double seconds) {
    double requests() {
      return (from + to) / 2 * seconds;
    }

    /** Seconds into the segment at which {@code m} (0 <= m <= requests()) requests are due. */
    double secondsFor(double m) {
      // Solve from * t + (to - from) / (2 * seconds) * t^2 = m; this form of the root stays exact
      // for a constant rate and for a ramp from 0, and avoids cancelling when the slope is small.
      double disc = from * from + 2 * (to - from) * m / seconds;
      return m == 0 ? 0 : 2 * m / (from + Math.sqrt(Math.max(0, disc)));
    }

    double requestsBy(double t) {
      return from * t + (to - from) / (2 * seconds) * t * t;
    }
  }

  private RateProfile(List<Segment> segments) {
    this.segments = List.copyOf(segments);
    requestsBefore = new double[segments.size() + 1];
    secondsBefore = new double[segments.size() + 1];
    for (int s = 0; s < segments.size(); s++) {
      requestsBefore[s + 1] = requestsBefore[s] + segments.get(s).requests();
      secondsBefore[s + 1] = secondsBefore[s] + segments.get(s).seconds();
    }
  }

  /** {@code rate} requests/s for {@code duration}. */
  public static RateProfile constant(double rate, Duration duration) {
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("rate: " + rate + " (expected: > 0 requests/s)");
    }
    return new RateProfile(List.of(new Segment(rate, rate, seconds("duration", duration))));
  }

  /** From {@code from} to {@code to} requests/s, linearly, over {@code duration}; one of them may be 0. */
  public static RateProfile ramp(double from, double to, Duration duration) {
    checkRate("rate", from);
    checkRate("ramp-to", to);
    if (from == 0 && to == 0) {
      throw new IllegalArgumentException("ramp-to: 0.0 from rate 0.0 (expected: some rate > 0 requests/s)");
    }
    return new RateProfile(List.of(new Segment(from, to, seconds("duration", duration))));
  }

  /**
   * Steps of constant rate, written {@code RATE:DURATION,...} such as {@code 50:30s,200:60s,50:30s}
   * (durations in {@code ms}, {@code s}, {@code m} or {@code h}; a rate may be 0, for a pause, but not
   * every one).
   */
  public static RateProfile steps(String spec) {
    List<Segment> steps = new ArrayList<>();
    String[] parts = spec.split(",", -1);
    for (String part : parts) {
      String[] rd = part.trim().split(":", -1);
      if (rd.length != 2) {
        throw new IllegalArgumentException("ramp: '" + part.trim() + "' (expected: RATE:DURATION such as 50:30s)");
      }
      double rate;
      try {
        rate = Double.parseDouble(rd[0].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("ramp: rate '" + rd[0].trim() + "' in '" + part.trim()
            + "' (expected: a number of requests/s)");
      }
      checkRate("ramp: rate", rate);
      double seconds = seconds("ramp: duration", parseDuration(rd[1].trim(), part.trim()));
      steps.add(new Segment(rate, rate, seconds));
    }
    if (steps.stream().allMatch(s -> s.from() == 0)) {
      throw new IllegalArgumentException("ramp: '" + spec + "' (expected: some rate > 0 requests/s)");
    }
    return new RateProfile(steps);
  }

  /** This profile followed by {@code next} (a ramp up, a plateau, then a drop, say). */
  public RateProfile then(RateProfile next) {
    List<Segment> all = new ArrayList<>(segments);
    all.addAll(next.segments);
    return new RateProfile(all);
  }

  /** This profile preceded by {@code lead} at this profile's first rate (the warm-up of a run). */
  RateProfile after(Duration lead) {
    if (lead.isZero()) {
      return this;
    }
    List<Segment> all = new ArrayList<>();
    double first = segments.get(0).from();
    all.add(new Segment(first, first, lead.toNanos() / 1e9));
    all.addAll(segments);
    return new RateProfile(all);
  }

  /** How long the profile lasts. */
  public Duration duration() {
    return Duration.ofNanos(Math.round(totalSeconds() * 1e9));
  }

  double totalSeconds() {
    return secondsBefore[segments.size()];
  }

  /** The requests the profile schedules (the integral of its rate), possibly fractional. */
  public double requests() {
    return requestsBefore[segments.size()];
  }

  /** The mean rate: {@link #requests()} over the duration. */
  public double meanRate() {
    return requests() / totalSeconds();
  }

  /** The rate {@code seconds} after the start: 0 outside the profile. */
  public double rateAt(double seconds) {
    if (seconds < 0 || seconds >= totalSeconds()) {
      return 0;
    }
    int s = segmentAtSeconds(seconds);
    Segment g = segments.get(s);
    double t = seconds - secondsBefore[s];
    return g.from() + (g.to() - g.from()) * t / g.seconds();
  }

  /** Requests due by {@code seconds} after the start: {@code N(seconds)}. */
  public double requestsBy(double seconds) {
    if (seconds <= 0) {
      return 0;
    }
    if (seconds >= totalSeconds()) {
      return requests();
    }
    int s = segmentAtSeconds(seconds);
    return requestsBefore[s] + segments.get(s).requestsBy(seconds - secondsBefore[s]);
  }

  /**
   * When request {@code i} (from 0) is intended, in seconds after the start; {@link Double#POSITIVE_INFINITY}
   * when the profile ends before it ({@code i >= requests()}).
   */
  public double secondsOf(long i) {
    if (i >= requests()) {
      return Double.POSITIVE_INFINITY;
    }
    int lo = 0;
    int hi = segments.size() - 1;
    while (lo < hi) { // the last segment starting at or before request i
      int mid = (lo + hi + 1) >>> 1;
      if (requestsBefore[mid] <= i) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    // skip empty (0 requests/s) segments: request i lies in the first segment whose requests reach past it
    while (requestsBefore[lo + 1] <= i) {
      lo++;
    }
    Segment g = segments.get(lo);
    return secondsBefore[lo] + Math.min(g.seconds(), g.secondsFor(i - requestsBefore[lo]));
  }

  private int segmentAtSeconds(double seconds) {
    int s = 0;
    while (s < segments.size() - 1 && secondsBefore[s + 1] <= seconds) {
      s++;
    }
    return s;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (Segment g : segments) {
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(g.from() == g.to()
          ? String.format(Locale.ROOT, "%s:%ss", num(g.from()), num(g.seconds()))
          : String.format(Locale.ROOT, "%s->%s:%ss", num(g.from()), num(g.to()), num(g.seconds())));
    }
    return b.toString();
  }

  private static String num(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  private static void checkRate(String field, double rate) {
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException(field + ": " + rate + " (expected: >= 0 requests/s)");
    }
  }

  private static double seconds(String field, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(field + ": " + d + " (expected: > 0)");
    }
    return d.toNanos() / 1e9;
  }

  private static Duration parseDuration(String v, String part) {
    try {
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      double n = Double.parseDouble(v.substring(0, v.length() - 1));
      double unit = switch (v.charAt(v.length() - 1)) {
        case 's' -> 1;
        case 'm' -> 60;
        case 'h' -> 3600;
        default -> throw new NumberFormatException();
      };
      return Duration.ofNanos(Math.round(n * unit * 1e9));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("ramp: duration '" + v + "' in '" + part
          + "' (expected: such as 500ms, 30s, 2m or 1h)");
    }
  }
}
