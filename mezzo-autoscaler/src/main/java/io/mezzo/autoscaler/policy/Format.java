package io.mezzo.autoscaler.policy;

import java.util.Locale;

/** Numbers in decision texts: short and locale-free ({@code 0.92}, {@code 130}). Stateless. */
final class Format {
  private Format() {}

  static String num(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e12) {
      return Long.toString((long) value);
    }
    String s = String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.0f" : Math.abs(value) >= 1 ? "%.2f" : "%.3f",
        value);
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }
}
