package io.mezzo.autoscaler.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The seeded synthetic trace: reproducible, the shipped file is the generator, its cycles and spikes are there. */
class SyntheticTraceTest {
  @Test
  void sameSeedGivesTheSameTraceAndAnotherSeedAnother() {
    Trace a = Trace.synthetic(42, 3);
    Trace b = Trace.synthetic(42, 3);
    Trace c = Trace.synthetic(43, 3);
    assertThat(a.size()).isEqualTo(3 * 1440);
    boolean differs = false;
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.rpsAt(i)).isEqualTo(b.rpsAt(i));
      differs |= a.rpsAt(i) != c.rpsAt(i);
    }
    assertThat(differs).isTrue();
  }

  @Test
  void shippedSyntheticTraceIsTheSeededGenerator() {
    Trace shipped = Trace.bundled("synthetic-daily-spikes.csv");
    Trace generated = Trace.synthetic(7, 28);
    assertThat(shipped.size()).isEqualTo(generated.size());
    for (int i = 0; i < shipped.size(); i++) {
      assertThat(shipped.timeAt(i)).isEqualTo(generated.timeAt(i));
      assertThat(shipped.rpsAt(i)).isEqualTo(generated.rpsAt(i));
    }
  }

  @Test
  void afternoonsAreBusierThanNightsAndWeekdaysThanWeekends() {
    Trace trace = Trace.synthetic(1, 14);
    double nights = 0;
    double afternoons = 0;
    double weekdays = 0;
    double weekends = 0;
    for (int i = 0; i < trace.size(); i++) {
      int minute = (int) (trace.timeAt(i) / 60);
      int hour = (minute / 60) % 24;
      int day = (minute / 1440) % 7;
      if (hour >= 2 && hour < 6) {
        nights += trace.rpsAt(i);
      } else if (hour >= 14 && hour < 18) {
        afternoons += trace.rpsAt(i);
      }
      if (day == 1 || day == 2) {
        weekdays += trace.rpsAt(i);
      } else if (day == 5 || day == 6) {
        weekends += trace.rpsAt(i);
      }
    }
    assertThat(afternoons).isGreaterThan(2.5 * nights);
    assertThat(weekdays).isGreaterThan(1.2 * weekends);
  }

  @Test
  void spikesRiseSuddenlyWellAboveTheUsualLevel() {
    Trace trace = Trace.synthetic(3, 28);
    double[] rates = new double[trace.size()];
    for (int i = 0; i < rates.length; i++) {
      rates[i] = trace.rpsAt(i);
    }
    double steepest = 0;
    for (int i = 2; i < rates.length; i++) {
      steepest = Math.max(steepest, rates[i] / rates[i - 2]);
    }
    double[] sorted = rates.clone();
    Arrays.sort(sorted);
    // a spike doubles the rate within two minutes; noise alone moves it a few percent a minute
    assertThat(steepest).isGreaterThan(1.8);
    assertThat(sorted[sorted.length - 1]).isGreaterThan(1.5 * sorted[(int) (sorted.length * 0.99)]);
  }
}
