package io.mezzo.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The interactive terminal of {@code mezzo top}: the alternate screen (so the shell's screen comes back
 * untouched), the cursor hidden, keys read one at a time without echo ({@code stty -icanon -echo} on
 * {@code /dev/tty}); {@link #close} restores all of it, and so does a shutdown hook on Ctrl-C. Each
 * {@link #frame} homes the cursor, clears the screen and draws the lines. A daemon thread reads the keys
 * into a queue that {@link #awaitKey} takes from. Used by one command thread; the key thread only
 * offers to the queue.
 */
final class Terminal implements AutoCloseable {
  private static final String ALT_SCREEN_ON = "\033[?1049h";
  private static final String ALT_SCREEN_OFF = "\033[?1049l";
  private static final String CURSOR_OFF = "\033[?25l";
  private static final String CURSOR_ON = "\033[?25h";
  private static final String HOME_CLEAR = "\033[H\033[2J";

  private final PrintWriter out;
  private final String savedStty;
  private final BlockingQueue<Integer> keys = new LinkedBlockingQueue<>();
  private final Thread hook = new Thread(this::restore, "mezzo-top-restore");
  private boolean restored;

  private Terminal(PrintWriter out, String savedStty) {
    this.out = out;
    this.savedStty = savedStty;
  }

  /** Takes over the terminal; {@code in} is where keys arrive (the terminal's stdin). */
  static Terminal open(PrintWriter out, InputStream in) {
    String saved = stty("-g");
    stty("-icanon -echo min 1");
    Terminal t = new Terminal(out, saved);
    Runtime.getRuntime().addShutdownHook(t.hook);
    out.print(ALT_SCREEN_ON + CURSOR_OFF);
    out.flush();
    Thread keys = new Thread(() -> t.readKeys(in), "mezzo-top-keys");
    keys.setDaemon(true);
    keys.start();
    return t;
  }

  /** {@code "ROWS COLS"} from {@code stty size}, or null when there is no terminal to ask. */
  static String size() {
    return stty("size");
  }

  void frame(List<String> lines) {
    out.print(HOME_CLEAR + String.join("\n", lines));
    out.flush();
  }

  /** The next key pressed within {@code d}, or -1 when none was. */
  int awaitKey(Duration d) throws InterruptedException {
    Integer key = keys.poll(d.toMillis(), TimeUnit.MILLISECONDS);
    return key == null ? -1 : key;
  }

  private void readKeys(InputStream in) {
    try {
      int c;
      while ((c = in.read()) >= 0) {
        keys.add(c);
      }
    } catch (IOException e) {
      // the terminal went away: nothing more to read
    }
  }

  private synchronized void restore() {
    if (restored) {
      return;
    }
    restored = true;
    out.print(CURSOR_ON + ALT_SCREEN_OFF);
    out.flush();
    if (savedStty != null) {
      stty(savedStty);
    }
  }

  @Override
  public void close() {
    restore();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs restore, which is done
    }
  }

  /** Runs {@code stty ARGS < /dev/tty}; its output, or null when it fails. */
  private static String stty(String args) {
    try {
      Process p = new ProcessBuilder("sh", "-c", "stty " + args + " < /dev/tty").redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return null;
      }
      return text;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
