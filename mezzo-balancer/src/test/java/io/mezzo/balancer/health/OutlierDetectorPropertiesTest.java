package io.mezzo.balancer.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.balancer.health.OutlierDetector.Config;
import io.mezzo.balancer.health.OutlierDetector.Ejection;
import io.mezzo.balancer.health.OutlierDetector.Result;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** {@link OutlierDetector} over random result sequences. */
class OutlierDetectorPropertiesTest {

  private static final long MS = 1_000_000L;

  /** Each step: bits 0-4 backend index, bits 5-7 result, bits 8+ milliseconds since the previous step. */
  @Property
  void ejectedShareNeverExceedsTheMaximum(
      @ForAll @IntRange(min = 1, max = 25) int backends,
      @ForAll @IntRange(min = 0, max = 100) int maxEjectionPercent,
      @ForAll @IntRange(min = 1, max = 6) int threshold,
      @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 1 << 22) Integer> steps) {
    Config config = new Config(threshold, threshold, Duration.ofSeconds(30), Duration.ofSeconds(300),
        maxEjectionPercent, Duration.ofSeconds(10));
    OutlierDetector d = OutlierDetector.create(config);
    d.retain(OutlierDetectorTest.ids(backends));
    Result[] results = Result.values();
    long now = -5_000 * MS; // nanoTime may be negative
    int limit = config.maxEjected(backends);
    for (int step : steps) {
      now += (step >>> 8) * MS;
      String id = "b" + (step & 31) % backends;
      Result r = results[((step >>> 5) & 7) % results.length];
      boolean wasEjected = d.isEjected(id, now);

      Optional<Ejection> e = d.onResult(id, r, now);

      assertThat(d.ejectedIds(now).size()).isLessThanOrEqualTo(limit);
      if (e.isPresent()) {
        assertThat(wasEjected).isFalse();
        assertThat(r).isNotEqualTo(Result.SUCCESS);
        assertThat(e.get().duration()).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(300));
        assertThat(d.isEjected(id, now)).isTrue();
      }
    }
  }

  @Property
  void aBackendIsNeverEjectedBeforeThresholdFailuresInARow(
      @ForAll @IntRange(min = 1, max = 6) int threshold,
      @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 4) Integer> codes) {
    Config config = new Config(threshold, threshold, Duration.ofSeconds(30), Duration.ofSeconds(300), 100,
        Duration.ofSeconds(10));
    OutlierDetector d = OutlierDetector.create(config);
    d.retain(OutlierDetectorTest.ids(2));
    int streak = 0;
    for (int code : codes) {
      Result r = Result.values()[code];
      streak = r == Result.SUCCESS ? 0 : streak + 1;

      Optional<Ejection> e = d.onResult("b0", r, 0);

      if (e.isPresent()) {
        assertThat(streak).isEqualTo(threshold);
        return; // stays ejected at time 0
      }
      assertThat(streak).isLessThan(threshold);
    }
  }
}
