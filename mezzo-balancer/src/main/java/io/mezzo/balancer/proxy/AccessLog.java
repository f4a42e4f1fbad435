package io.mezzo.balancer.proxy;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load balancer's access log: one line per request, written by a thread of its own so that the
 * event loops never wait on a disk. An event loop hands an {@link Entry} over a bounded queue
 * ({@value #QUEUE} entries) without blocking; when the queue is full the entry is dropped and counted,
 * and the writer notes how many were dropped in the log. Lines look like
 *
 * <pre>127.0.0.1 2026-11-27T07:45:11.123Z "GET /x?a=1 HTTP/1.1" 200 1234 3.214ms /web:0 10.0.0.7:31000 1</pre>
 *
 * <p>client address, start time (ISO-8601, UTC), method, URI and protocol, status, response body bytes,
 * duration from the request's headers to the response's end, route, backend address, attempts
 * (backends tried); {@code -} where there is none (a 404 has no route, a local 503 no backend).
 * Formatting happens on the writer thread. Without the option there is no access log object at all:
 * the proxy's cost is one null check per request.
 *
 * <p>Thread-safe: {@link #log} from any thread; the writer thread owns the output.
 */
public final class AccessLog implements AutoCloseable {
  static final int QUEUE = 65536;
  private static final Entry STOP = new Entry("", 0, "", "", "", 0, 0, 0, null, null, 0);

  /** One request, as the proxy saw it. */
  record Entry(String client, long startMillis, String method, String uri, String protocol, int status,
      long responseBytes, long nanos, String route, String backend, int attempts) {}

  private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(QUEUE);
  private final AtomicLong dropped = new AtomicLong();
  private final Writer out;
  private final boolean closeOut;
  private final Thread writer;

  private AccessLog(Writer out, boolean closeOut) {
    this.out = out;
    this.closeOut = closeOut;
    this.writer = new Thread(this::run, "lb-access-log");
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * An access log to {@code target}: a file path (appended to, created when missing) or {@code -} for
   * standard output.
   *
   * @throws IllegalArgumentException naming the path when it cannot be opened for appending
   */
  public static AccessLog open(String target) {
    if (target == null || target.isBlank()) {
      throw new IllegalArgumentException("access-log: '" + target + "' (expected: a file path, or - for stdout)");
    }
    if (target.equals("-")) {
      return new AccessLog(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)), false);
    }
    try {
      Path path = Path.of(target);
      return new AccessLog(Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND, StandardOpenOption.WRITE), true);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("access-log: '" + target + "' (expected: a writable file path, or - for stdout): "
          + e.getMessage(), e);
    }
  }

  /** Queues {@code e} for writing; never blocks (drops it when the writer is {@value #QUEUE} lines behind). */
  void log(Entry e) {
    if (!queue.offer(e)) {
      dropped.incrementAndGet();
    }
  }

  /** Entries dropped so far because the writer was behind. */
  public long dropped() {
    return dropped.get();
  }

  private void run() {
    List<Entry> batch = new ArrayList<>(1024);
    StringBuilder line = new StringBuilder(256);
    try {
      while (true) {
        Entry first = queue.poll(1, TimeUnit.SECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, 1023);
        for (Entry e : batch) {
          if (e == STOP) {
            finish();
            return;
          }
          line.setLength(0);
          format(e, line);
          out.write(line.toString());
        }
        batch.clear();
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
          out.write("# access log: " + lost + " lines dropped (the writer was behind)\n");
        }
        if (queue.isEmpty()) {
          out.flush();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      throw new UncheckedIOException("access log: " + e.getMessage(), e);
    }
  }

  private void finish() throws IOException {
    out.flush();
    if (closeOut) {
      out.close();
    }
  }

  static void format(Entry e, StringBuilder b) {
    b.append(e.client()).append(' ').append(Instant.ofEpochMilli(e.startMillis())).append(" \"")
        .append(e.method()).append(' ');
    appendEscaped(e.uri(), b);
    b.append(' ').append(e.protocol()).append("\" ").append(e.status()).append(' ').append(e.responseBytes())
        .append(' ').append(String.format(Locale.ROOT, "%.3f", e.nanos() / 1e6)).append("ms ")
        .append(e.route() == null ? "-" : e.route()).append(' ').append(e.backend() == null ? "-" : e.backend())
        .append(' ').append(e.attempts()).append('\n');
  }

  /** The URI with quotes, backslashes and control characters escaped, so that a line stays one line. */
  private static void appendEscaped(String s, StringBuilder b) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
      } else {
        b.append(c);
      }
    }
  }

  /** Writes what is queued, then stops the writer (and closes the file). */
  @Override
  public void close() {
    try {
      queue.put(STOP);
      writer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
