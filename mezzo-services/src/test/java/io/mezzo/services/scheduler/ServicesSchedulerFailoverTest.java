package io.mezzo.services.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mezzo.core.http.JsonClient;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.OfferId;
import io.mezzo.core.model.Resources;
import io.mezzo.core.scheduler.Call;
import io.mezzo.core.scheduler.Event;
import io.mezzo.master.registry.EmbeddedZooKeeper;
import io.mezzo.services.api.EventBus;
import io.mezzo.services.app.AppValidator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The services scheduler taking over after a failover (issue 8, chaos suite known issue 2): its
 * state recovered from a real (embedded) ZooKeeper, its master a recording fake that answers the
 * way a new leader does, offering at once, before the scheduler has even seen its SUBSCRIBED.
 */
class ServicesSchedulerFailoverTest {
  @TempDir
  static Path zkDir;
  private static EmbeddedZooKeeper zk;

  @BeforeAll
  static void startZooKeeper() throws Exception {
    zk = EmbeddedZooKeeper.start(zkDir, 0);
  }

  @AfterAll
  static void stopZooKeeper() {
    zk.close();
  }

  @Test
  void recoveredDeploymentLaunchesFromTheFirstOffersWithoutAnIdleDecline() throws Exception {
    ServicesConfig config = new ServicesConfig("127.0.0.1:1", zk.connectString(), "/mezzo/t-" + UUID.randomUUID(),
        "mezzo-services", "nobody", "*", Duration.ofDays(7), Duration.ofMillis(300), Duration.ofSeconds(30),
        Duration.ofSeconds(5));
    // The old leader: the app is created (201) and its deployment stored, then the leader dies
    // before any master answers it.
    try (ServicesScheduler old = ServicesScheduler.start(config, new EventBus(Clock.systemUTC()), Clock.systemUTC(),
        null, (info, onEvent, onDisconnect) -> {
          throw new IllegalStateException("no master yet");
        })) {
      old.put(AppValidator.parse("{\"id\":\"/web\",\"cmd\":\"sleep 1000\",\"cpus\":0.5,\"mem\":64,\"instances\":1}"),
          true, false).get(10, TimeUnit.SECONDS);
    }

    FakeMaster master = new FakeMaster();
    try (ServicesScheduler s = ServicesScheduler.start(config, new EventBus(Clock.systemUTC()), Clock.systemUTC(),
        null, master)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> master.calls.stream().anyMatch(c -> c.type() == Call.Type.ACCEPT));
    } finally {
      master.close();
    }

    List<Call> upToLaunch = master.calls.subList(0,
        indexOf(master.calls, Call.Type.ACCEPT) + 1);
    assertThat(upToLaunch).as("a pending deployment is never declined with the idle filter")
        .noneMatch(c -> c.type() == Call.Type.DECLINE && c.decline().filters().refuseSeconds() >= 120);
    Call accept = upToLaunch.get(upToLaunch.size() - 1);
    assertThat(accept.accept().operations().get(0).launch().taskInfos())
        .singleElement().satisfies(t -> assertThat(t.taskId().value()).startsWith("web."));
    // Offers that came before the scheduler knew what it wanted were declined for 5 s at most.
    assertThat(upToLaunch).filteredOn(c -> c.type() == Call.Type.DECLINE)
        .allSatisfy(c -> assertThat(c.decline().filters().refuseSeconds()).isEqualTo(5.0));
  }

  private static int indexOf(List<Call> calls, Call.Type type) {
    for (int i = 0; i < calls.size(); i++) {
      if (calls.get(i).type() == type) {
        return i;
      }
    }
    return -1;
  }

  /**
   * A master as the scheduler sees it, one agent's resources offered at a time, with Mesos'
   * semantics (the calls it gets are taken in the order they arrive): an offer nobody answers stays
   * outstanding (this fake never rescinds); a DECLINE of up to 5 s is followed by a new offer of the
   * same resources a moment later (the next allocation after the short filter); a longer DECLINE
   * filters them until a REVIVE, which offers them again.
   */
  private static final class FakeMaster implements MasterLink.Connector, AutoCloseable {
    final List<Call> calls = new CopyOnWriteArrayList<>();
    volatile int offersMade;
    private final ScheduledExecutorService allocator = Executors.newSingleThreadScheduledExecutor();
    private Consumer<Event> events;
    private OfferId outstanding;
    private boolean filtered;

    @Override
    public MasterLink subscribe(io.mezzo.core.model.FrameworkInfo info, Consumer<Event> onEvent,
        Consumer<Throwable> onDisconnect) {
      events = onEvent;
      onEvent.accept(Event.subscribed(FrameworkId.of("F1"), 15));
      synchronized (this) {
        offer(); // a new leader's first allocation, on the stream before SUBSCRIBED is handed back
      }
      return new MasterLink() {
        @Override
        public FrameworkId frameworkId() {
          return FrameworkId.of("F1");
        }

        @Override
        public CompletableFuture<JsonClient.Reply> send(Call call) {
          take(call);
          return CompletableFuture.completedFuture(new JsonClient.Reply(202, Map.of(), ""));
        }

        @Override
        public void close() {
        }
      };
    }

    private synchronized void take(Call call) {
      calls.add(call);
      switch (call.type()) {
        case DECLINE -> {
          if (call.decline().offerIds().contains(outstanding)) {
            outstanding = null;
            Double refuse = call.decline().filters() == null ? null : call.decline().filters().refuseSeconds();
            filtered = refuse != null && refuse > 5;
            if (!filtered) {
              allocator.schedule(this::offerIfFree, 50, TimeUnit.MILLISECONDS);
            }
          }
        }
        case REVIVE -> {
          filtered = false;
          offerIfFree();
        }
        case ACCEPT -> outstanding = null;
        default -> { }
      }
    }

    private synchronized void offerIfFree() {
      if (outstanding == null && !filtered && calls.stream().noneMatch(c -> c.type() == Call.Type.ACCEPT)) {
        offer();
      }
    }

    private void offer() {
      outstanding = OfferId.of("O-" + ++offersMade);
      events.accept(Event.offers(List.of(new Offer(outstanding, FrameworkId.of("F1"), AgentId.of("A1"), "host-1",
          Resources.parse("cpus:2;mem:1024;ports:[31000-31009]").toList(), null))));
    }

    @Override
    public void close() {
      allocator.shutdownNow();
    }
  }
}
