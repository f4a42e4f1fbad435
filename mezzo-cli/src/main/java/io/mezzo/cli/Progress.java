package io.mezzo.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The progress of one long operation ({@code app deploy --wait}, {@code agent drain --wait}) as a person
 * sees it: on a terminal, one line rewritten in place with {@code \r} (padded over what it replaces),
 * such as {@code deploying /web [======>   ] 3/5 healthy, step 2/3, 12 s}; elsewhere (a pipe, a file, a
 * CI log: {@code System.console() == null}) plain lines, one when the line's {@code key} changes and
 * otherwise one every {@code plainEvery}, so a log shows it is alive without a line per poll. Time comes
 * from {@code nanoTime}; one command's thread uses an instance.
 */
final class Progress {
  static final int BAR_WIDTH = 20;

  private final PrintWriter out;
  private final boolean tty;
  private final LongSupplier nanoTime;
  private final long plainEveryNanos;
  private int shownWidth;
  private String lastKey;
  private long lastPrinted;

  Progress(PrintWriter out, boolean tty, LongSupplier nanoTime, Duration plainEvery) {
    this.out = out;
    this.tty = tty;
    this.nanoTime = nanoTime;
    this.plainEveryNanos = plainEvery.toNanos();
  }

  /** {@code [======>   ]}: {@code done} of {@code total} in {@code width} cells; full once done, empty without a total. */
  static String bar(int done, int total, int width) {
    if (total <= 0 || done <= 0) {
      return "[" + (total > 0 ? ">" + " ".repeat(width - 1) : " ".repeat(width)) + "]";
    }
    if (done >= total) {
      return "[" + "=".repeat(width) + "]";
    }
    int filled = Math.min(width - 1, (int) ((long) done * width / total));
    return "[" + "=".repeat(filled) + ">" + " ".repeat(width - filled - 1) + "]";
  }

  /** {@code 12 s}, {@code 2 min 05 s}: elapsed time for the line. */
  static String elapsed(long seconds) {
    return seconds < 120 ? seconds + " s" : seconds / 60 + " min " + String.format("%02d", seconds % 60) + " s";
  }

  /** Shows {@code line}; {@code key} is what, when it changes, earns a new plain line. */
  void show(String key, String line) {
    if (tty) {
      out.print("\r" + line + " ".repeat(Math.max(0, shownWidth - line.length())));
      shownWidth = Math.max(shownWidth, line.length()); // what is on screen, padding included
      out.flush();
      return;
    }
    long now = nanoTime.getAsLong();
    if (!key.equals(lastKey) || now - lastPrinted >= plainEveryNanos) {
      out.println(line);
      out.flush();
      lastKey = key;
      lastPrinted = now;
    }
  }

  /** Wipes the line on a terminal (before the outcome is printed in its place). */
  void clear() {
    if (tty && shownWidth > 0) {
      out.print("\r" + " ".repeat(shownWidth) + "\r");
      out.flush();
      shownWidth = 0;
    }
  }

  /** Leaves the line on screen and moves below it (before a failure is printed). */
  void end() {
    if (tty && shownWidth > 0) {
      out.println();
      out.flush();
      shownWidth = 0;
    }
  }
}
