package io.mezzo.balancer.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.balancer.health.OutlierDetector.Config;
import io.mezzo.balancer.health.OutlierDetector.Ejection;
import io.mezzo.balancer.health.OutlierDetector.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * A seeded simulation in virtual time: 10 backends behind a random picker at 200 requests/s for 10
 * minutes; one backend fails every request, the others fail 1% at random. The detector, panic mode and
 * the picker are the production classes; only the clock and the backends are simulated.
 */
class OutlierSimulationTest {

  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;
  private static final String BAD = "b7";

  @Property(tries = 12)
  void aBackendFailingEveryRequestIsEjectedAndReEjectedForLonger(@ForAll long seed) {
    Random random = new Random(seed);
    OutlierDetector detector = OutlierDetector.create(Config.defaults());
    List<String> all = new ArrayList<>(OutlierDetectorTest.ids(10));
    detector.retain(OutlierDetectorTest.ids(10));
    Panic panic = Panic.defaults();

    List<Ejection> ejections = new ArrayList<>();
    List<Long> badRequestTimes = new ArrayList<>();
    Map<String, Integer> servedWhileBadEjected = new HashMap<>();
    int requestsToBadBeforeFirstEjection = 0;
    long total = 0;
    for (long tick = 0; tick < 600 * S; tick += 5 * MS) {
      long now = tick;
      List<String> routable = panic.routable(all, id -> !detector.isEjected(id, now));
      String pick = routable.get(random.nextInt(routable.size()));
      total++;
      boolean badEjected = detector.isEjected(BAD, now);
      if (badEjected) {
        servedWhileBadEjected.merge(pick, 1, Integer::sum);
      }
      Result result;
      if (pick.equals(BAD)) {
        badRequestTimes.add(now);
        if (ejections.isEmpty()) {
          requestsToBadBeforeFirstEjection++;
        }
        result = Result.HTTP_5XX;
      } else {
        result = random.nextInt(100) == 0 ? Result.HTTP_5XX : Result.SUCCESS;
      }
      detector.onResult(pick, result, now).ifPresent(ejections::add);
    }

    // ejected within the threshold: its fifth request ejects it, and nobody else is ever ejected
    assertThat(requestsToBadBeforeFirstEjection).isEqualTo(5);
    assertThat(ejections).allSatisfy(e -> assertThat(e.backendId()).isEqualTo(BAD));
    // while ejected it gets nothing; the nine others share the traffic
    assertThat(servedWhileBadEjected).doesNotContainKey(BAD).hasSize(9);
    for (Ejection e : ejections) {
      assertThat(badRequestTimes).noneMatch(t -> t >= e.ejectedAtNanos() + 5 * MS && t < e.untilNanos());
    }
    // it comes back after its time, fails again at once, and goes out for longer each time
    assertThat(ejections.size()).isGreaterThanOrEqualTo(4);
    for (int i = 0; i < ejections.size(); i++) {
      Ejection e = ejections.get(i);
      assertThat(e.multiplier()).isEqualTo(Math.min(i + 1, 10));
      assertThat(e.duration()).isEqualTo(Duration.ofSeconds(Math.min(30L * (i + 1), 300)));
      if (i > 0) {
        long back = ejections.get(i - 1).untilNanos();
        assertThat(e.ejectedAtNanos()).isGreaterThanOrEqualTo(back).isLessThan(back + 10 * S);
        assertThat(badRequestTimes).anyMatch(t -> t >= back && t <= e.ejectedAtNanos());
      }
    }
    // its share of the traffic drops from a fair 10% to about nothing
    double share = (double) badRequestTimes.size() / total;
    assertThat(share).isLessThan(0.002);
  }
}
