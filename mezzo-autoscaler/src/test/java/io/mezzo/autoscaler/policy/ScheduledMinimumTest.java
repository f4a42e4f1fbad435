package io.mezzo.autoscaler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.autoscaler.policy.ScalingPolicy.ScheduleSpec;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** Scheduled minimums: windows by day and local time, time zones with daylight saving, windows past midnight. */
class ScheduledMinimumTest {
  private static final ScheduleSpec OFFICE = new ScheduleSpec("office",
      EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), LocalTime.of(8, 0), LocalTime.of(18, 0),
      ZoneId.of("Europe/Paris"), 4);

  private static int at(ScheduleSpec s, String instant) {
    return ScheduledMinimum.propose(s, Instant.parse(instant)).instances();
  }

  @Test
  void insideTheWindowTheMinimumApplies() {
    assertThat(at(OFFICE, "2026-03-02T07:00:00Z")).as("Monday 08:00 in Paris (UTC+1)").isEqualTo(4);
    assertThat(at(OFFICE, "2026-03-06T16:59:59Z")).as("Friday 17:59:59").isEqualTo(4);
  }

  @Test
  void outsideTheWindowItAbstains() {
    assertThat(at(OFFICE, "2026-03-02T06:59:59Z")).as("Monday 07:59:59").isEqualTo(-1);
    assertThat(at(OFFICE, "2026-03-06T17:00:00Z")).as("Friday 18:00").isEqualTo(-1);
    assertThat(at(OFFICE, "2026-03-07T10:00:00Z")).as("Saturday").isEqualTo(-1);
  }

  @Test
  void theZoneFollowsDaylightSavingTime() {
    assertThat(at(OFFICE, "2026-06-01T06:00:00Z")).as("Monday 08:00 in Paris (UTC+2)").isEqualTo(4);
    assertThat(at(OFFICE, "2026-06-01T16:30:00Z")).as("18:30 in Paris").isEqualTo(-1);
  }

  @Test
  void aWindowPastMidnightRunsIntoTheNextDay() {
    ScheduleSpec night = new ScheduleSpec("batch", EnumSet.of(DayOfWeek.FRIDAY), LocalTime.of(22, 0),
        LocalTime.of(2, 0), ZoneId.of("UTC"), 3);
    assertThat(at(night, "2026-03-06T23:00:00Z")).isEqualTo(3);
    assertThat(at(night, "2026-03-07T01:59:00Z")).as("Saturday 01:59, the Friday window").isEqualTo(3);
    assertThat(at(night, "2026-03-07T02:00:00Z")).isEqualTo(-1);
    assertThat(at(night, "2026-03-06T01:00:00Z")).as("Friday 01:00 belongs to Thursday").isEqualTo(-1);
  }
}
