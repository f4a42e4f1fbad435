package io.mezzo.services.scheduler;

import io.mezzo.core.auth.Caller;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.FrameworkInfo;
import io.mezzo.core.scheduler.Call;
import io.mezzo.core.scheduler.Event;
import io.mezzo.core.scheduler.SchedulerClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What the services scheduler needs of its subscription to a master: the framework id, calls and
 * closing. In production a {@link SchedulerClient}; tests put a recording master behind it. Events
 * go to the {@code onEvent} given to {@link Connector#subscribe}, possibly before {@code subscribe}
 * returns. Implementations are thread-safe.
 */
interface MasterLink extends AutoCloseable {
  FrameworkId frameworkId();

  /** Posts {@code call} (framework id filled in when absent); completes with the master's reply. */
  CompletableFuture<JsonClient.Reply> send(Call call);

  @Override
  void close();

  /** Subscribes a framework and waits for SUBSCRIBED; throws a RuntimeException when it cannot. */
  @FunctionalInterface
  interface Connector {
    MasterLink subscribe(FrameworkInfo info, Consumer<Event> onEvent, Consumer<Throwable> onDisconnect);
  }

  /** The real thing: {@link SchedulerClient#subscribe} to {@code masterHostPort} as {@code caller}. */
  static Connector http(String masterHostPort, Caller caller) {
    return (info, onEvent, onDisconnect) -> {
      SchedulerClient c = SchedulerClient.subscribe(masterHostPort, caller, info, onEvent, onDisconnect,
          Duration.ofSeconds(15));
      return new MasterLink() {
        @Override
        public FrameworkId frameworkId() {
          return c.frameworkId();
        }

        @Override
        public CompletableFuture<JsonClient.Reply> send(Call call) {
          return c.send(call);
        }

        @Override
        public void close() {
          c.close();
        }
      };
    };
  }
}
