package io.mezzo.services.scheduler;

import io.mezzo.core.http.JsonClient;
import io.mezzo.core.scheduler.Call;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The services scheduler's calls to the master, one at a time and in the order they were given: a
 * call is posted only once the master has answered the previous one (or the post failed).
 *
 * <p>Why: each call is its own HTTP POST, and two POSTs in flight at once may reach the master in
 * either order. A DECLINE with the long idle filter overtaken by the REVIVE meant to clear it left
 * that filter in place for its full 120 s (issue 8, chaos suite known issue 2). Mesos' own scheduler
 * library keeps calls in order on one connection; this does the same over the JDK client's pool. The
 * master answers a call after its loop took it, so answered-before-sent means processed in order.
 *
 * <p>Thread-safe: {@link #send} may be called from any thread; callers in the services scheduler
 * call it from its loop only.
 */
final class CallChannel {
  private final Function<Call, CompletableFuture<JsonClient.Reply>> post;
  private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);

  /** A channel posting each call with {@code post} (e.g. {@code SchedulerClient::send}). */
  CallChannel(Function<Call, CompletableFuture<JsonClient.Reply>> post) {
    this.post = post;
  }

  /** Posts {@code call} after every call sent before it has been answered; completes with its reply. */
  synchronized CompletableFuture<JsonClient.Reply> send(Call call) {
    CompletableFuture<JsonClient.Reply> reply = tail.handle((r, e) -> null).thenCompose(ignored -> {
      try {
        return post.apply(call);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    });
    tail = reply;
    return reply;
  }
}
