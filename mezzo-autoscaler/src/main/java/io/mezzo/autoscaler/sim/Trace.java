package io.mezzo.autoscaler.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * A request-rate trace: samples {@code (t, rps)} with {@code t} in seconds since the first sample
 * (strictly increasing) and {@code rps} the mean request rate over the sample's interval (>= 0). The
 * rate between samples is interpolated linearly; the trace spans from its first sample to its last.
 * Immutable.
 *
 * <p>The file format is the one of the shipped traces (see {@code io/mezzo/autoscaler/traces/README.md} on the class path):
 * CSV with the header {@code t_seconds,rps}, one sample a line, blank lines and a leading byte-order
 * mark ignored. Reading errors name
 * the file, the line and the bad value ({@link TraceFormatException}).
 */
public final class Trace {
  /** The header line of a trace file. */
  public static final String HEADER = "t_seconds,rps";

  private final String name;
  private final double[] t;
  private final double[] rps;

  private Trace(String name, double[] t, double[] rps) {
    this.name = name;
    this.t = t;
    this.rps = rps;
  }

  /**
   * A trace of the given samples (copied); {@code t} is shifted to start at 0.
   *
   * @throws IllegalArgumentException naming the first bad sample
   */
  public static Trace of(String name, double[] t, double[] rps) {
    Objects.requireNonNull(name, "name");
    if (t.length != rps.length) {
      throw new IllegalArgumentException("rps: " + rps.length + " samples (expected: as many as t, " + t.length + ")");
    }
    if (t.length < 2) {
      throw new IllegalArgumentException(name + ": " + t.length + " samples (expected: >= 2)");
    }
    double[] times = new double[t.length];
    for (int i = 0; i < t.length; i++) {
      if (!Double.isFinite(t[i])) {
        throw new IllegalArgumentException(name + " sample " + i + ": t: " + t[i] + " (expected: a finite number)");
      }
      if (i > 0 && t[i] <= t[i - 1]) {
        throw new IllegalArgumentException(name + " sample " + i + ": t: " + t[i]
            + " (expected: > the previous sample's " + t[i - 1] + ")");
      }
      if (!Double.isFinite(rps[i]) || rps[i] < 0) {
        throw new IllegalArgumentException(name + " sample " + i + ": rps: " + rps[i] + " (expected: a number >= 0)");
      }
      times[i] = t[i] - t[0];
    }
    return new Trace(name, times, rps.clone());
  }

  /** Reads a trace file; the trace is named after the file. */
  public static Trace read(Path file) {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(file.getFileName().toString(), reader);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read trace " + file, e);
    }
  }

  /** A trace shipped with Mezzo on the class path under {@code io/mezzo/autoscaler/traces/}, such as {@code worldcup98.csv}. */
  public static Trace bundled(String fileName) {
    InputStream in = Trace.class.getClassLoader().getResourceAsStream("io/mezzo/autoscaler/traces/" + fileName);
    if (in == null) {
      throw new IllegalArgumentException("trace: " + fileName + " (expected: one of the bundled traces "
          + "worldcup98.csv, wikipedia-en-2016-01.csv, synthetic-daily-spikes.csv)");
    }
    try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      return parse(fileName, reader);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read bundled trace " + fileName, e);
    }
  }

  /** Parses the CSV text of {@code reader}; {@code name} appears in error messages. */
  public static Trace parse(String name, Reader reader) {
    BufferedReader lines = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
    double[] times = new double[1024];
    double[] rates = new double[1024];
    int n = 0;
    int lineNo = 0;
    boolean headerSeen = false;
    try {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        lineNo++;
        String trimmed = (lineNo == 1 && line.startsWith("\uFEFF") ? line.substring(1) : line).strip();
        if (trimmed.isEmpty()) {
          continue;
        }
        if (!headerSeen) {
          if (!trimmed.equals(HEADER)) {
            throw new TraceFormatException(name + " line " + lineNo + ": '" + abbreviate(trimmed)
                + "' (expected: the header '" + HEADER + "')");
          }
          headerSeen = true;
          continue;
        }
        int comma = trimmed.indexOf(',');
        if (comma < 0 || trimmed.indexOf(',', comma + 1) >= 0) {
          throw new TraceFormatException(name + " line " + lineNo + ": '" + abbreviate(trimmed)
              + "' (expected: two fields, t_seconds,rps)");
        }
        double time = number(name, lineNo, "t_seconds", trimmed.substring(0, comma).strip());
        double rate = number(name, lineNo, "rps", trimmed.substring(comma + 1).strip());
        if (n > 0 && time <= times[n - 1]) {
          throw new TraceFormatException(name + " line " + lineNo + ": t_seconds: " + trimmed.substring(0, comma).strip()
              + " (expected: > the previous sample's " + format(times[n - 1]) + ")");
        }
        if (rate < 0) {
          throw new TraceFormatException(name + " line " + lineNo + ": rps: " + trimmed.substring(comma + 1).strip()
              + " (expected: >= 0)");
        }
        if (n == times.length) {
          times = Arrays.copyOf(times, n * 2);
          rates = Arrays.copyOf(rates, n * 2);
        }
        times[n] = time;
        rates[n] = rate;
        n++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read trace " + name, e);
    }
    if (!headerSeen) {
      throw new TraceFormatException(name + ": empty (expected: the header '" + HEADER + "' and >= 2 samples)");
    }
    if (n < 2) {
      throw new TraceFormatException(name + ": " + n + " samples (expected: >= 2)");
    }
    double first = times[0];
    double[] t = new double[n];
    for (int i = 0; i < n; i++) {
      t[i] = times[i] - first;
    }
    return new Trace(name, t, Arrays.copyOf(rates, n));
  }

  private static double number(String name, int lineNo, String field, String text) {
    double value;
    try {
      value = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      value = Double.NaN;
    }
    if (!Double.isFinite(value) || text.endsWith("d") || text.endsWith("f") || text.endsWith("D") || text.endsWith("F")) {
      throw new TraceFormatException(name + " line " + lineNo + ": " + field + ": '" + abbreviate(text)
          + "' (expected: a decimal number)");
    }
    return value;
  }

  private static String abbreviate(String text) {
    return text.length() <= 60 ? text : text.substring(0, 57) + "...";
  }

  /**
   * A synthetic trace of {@code days} days at one sample a minute, the same for the same seed: a daily
   * cycle (quiet nights, afternoon peak), a weekly modulation (quieter weekends), correlated noise and a
   * few sudden spikes (two to four times the level, rising within two minutes). See {@link SyntheticTrace}.
   */
  public static Trace synthetic(long seed, int days) {
    return SyntheticTrace.generate(seed, days);
  }

  public String name() {
    return name;
  }

  /** The number of samples. */
  public int size() {
    return t.length;
  }

  /** The time of sample {@code i} in seconds since the first. */
  public double timeAt(int i) {
    return t[i];
  }

  /** The rate of sample {@code i}. */
  public double rpsAt(int i) {
    return rps[i];
  }

  /** From the first sample to the last, in seconds. */
  public double durationSeconds() {
    return t[t.length - 1];
  }

  /** The highest sampled rate. */
  public double peakRps() {
    double peak = 0;
    for (double r : rps) {
      peak = Math.max(peak, r);
    }
    return peak;
  }

  /** The rate at {@code seconds} since the first sample: linear between samples, clamped at the ends. */
  public double rateAt(double seconds) {
    if (seconds <= 0) {
      return rps[0];
    }
    if (seconds >= t[t.length - 1]) {
      return rps[t.length - 1];
    }
    int i = Arrays.binarySearch(t, seconds);
    if (i >= 0) {
      return rps[i];
    }
    int hi = -i - 1;
    int lo = hi - 1;
    double f = (seconds - t[lo]) / (t[hi] - t[lo]);
    return rps[lo] + f * (rps[hi] - rps[lo]);
  }

  /** This trace with every rate multiplied by {@code factor} (>= 0). */
  public Trace scaled(double factor) {
    if (!(factor >= 0) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException("factor: " + factor + " (expected: a finite number >= 0)");
    }
    double[] r = new double[rps.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = rps[i] * factor;
    }
    return new Trace(name, t, r);
  }

  /**
   * This trace scaled so that its peak rate is {@code peakInstances x perInstanceCapacity}; pass
   * {@link InstanceModel#sustainableRps()} for the peak to need exactly {@code peakInstances} instances
   * at the SLO.
   */
  public Trace rescaledToPeak(int peakInstances, double perInstanceCapacity) {
    if (peakInstances < 1) {
      throw new IllegalArgumentException("peakInstances: " + peakInstances + " (expected: >= 1)");
    }
    if (!(perInstanceCapacity > 0) || Double.isInfinite(perInstanceCapacity)) {
      throw new IllegalArgumentException("perInstanceCapacity: " + perInstanceCapacity + " (expected: > 0)");
    }
    double peak = peakRps();
    if (peak == 0) {
      throw new IllegalArgumentException(name + ": peak rps 0 (expected: > 0 to rescale)");
    }
    return scaled(peakInstances * perInstanceCapacity / peak);
  }

  /** Writes this trace in the CSV format {@link #parse} reads, rates to three decimals. */
  public void writeCsv(Writer out) throws IOException {
    out.write(HEADER);
    out.write('\n');
    for (int i = 0; i < t.length; i++) {
      out.write(format(t[i]));
      out.write(',');
      out.write(String.format(Locale.ROOT, "%.3f", rps[i]));
      out.write('\n');
    }
  }

  private static String format(double seconds) {
    return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
  }

  @Override
  public String toString() {
    return name + " (" + t.length + " samples over " + String.format(Locale.ROOT, "%.1f", durationSeconds() / 86400)
        + " days, peak " + String.format(Locale.ROOT, "%.1f", peakRps()) + " rps)";
  }
}
