package io.mezzo.agent.image;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's periodic image GC: every {@code interval} after {@link #start}, one
 * {@link ImageStore#collect()} with the store's thresholds. Images a container retains (running, or
 * re-adopted after an agent restart) are never removed; an image becomes removable once no container
 * uses it. Each removed image is logged with its names and bytes.
 *
 * <p>Thread: collections run on this collector's own thread {@code image-gc}, never on the agent
 * loop, because a collection waits for pulls in progress (the store's content lock) and deletes
 * directory trees. The counters are read from any thread. {@link #close} stops the thread and waits
 * for a collection in progress, so the caller may close the store afterwards.
 */
public final class ImageCollector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ImageCollector.class);

  private final ImageStore store;
  private final Duration interval;
  private final ScheduledExecutorService thread;
  private final AtomicLong runs = new AtomicLong();
  private final AtomicLong removed = new AtomicLong();
  private final AtomicLong freed = new AtomicLong();

  /** A collector of {@code store} every {@code interval} (> 0); it starts with {@link #start}. */
  public ImageCollector(ImageStore store, Duration interval) {
    if (interval == null || interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
    }
    this.store = store;
    this.interval = interval;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "image-gc");
      t.setDaemon(true);
      return t;
    });
  }

  /** Schedules the collections: the first one {@code interval} from now. Once. */
  public void start() {
    long ms = Math.max(1, interval.toMillis());
    thread.scheduleWithFixedDelay(this::collectOnce, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** One collection, logging what it removed; a failure is logged and the next round tries again. */
  void collectOnce() {
    try {
      Map<String, ImageInfo> before = store.list().stream()
          .collect(Collectors.toMap(ImageInfo::digest, Function.identity()));
      GcResult r = store.collect();
      runs.incrementAndGet();
      for (String digest : r.removedImages()) {
        ImageInfo info = before.get(digest);
        LOG.info("image gc: removed {} {}, {} bytes", digest, info == null ? List.of() : info.references(),
            info == null ? "?" : info.sizeBytes());
      }
      removed.addAndGet(r.removedImages().size());
      freed.addAndGet(r.freedBytes());
    } catch (RuntimeException e) {
      LOG.warn("image gc failed (retried in {}): {}", interval, e.toString());
    }
  }

  /** Collections done. */
  public long runs() {
    return runs.get();
  }

  /** Images removed by every collection so far. */
  public long removedImages() {
    return removed.get();
  }

  /** Bytes of the images removed so far. */
  public long freedBytes() {
    return freed.get();
  }

  /** Bytes the store's images take now (as {@link ImageInfo#sizeBytes()} counts them). */
  public long storeBytes() {
    return store.list().stream().mapToLong(ImageInfo::sizeBytes).sum();
  }

  /** Stops collecting; waits (up to 30 s) for a collection in progress. Idempotent. */
  @Override
  public void close() {
    thread.shutdownNow();
    try {
      if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("image gc: a collection is still running after 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
