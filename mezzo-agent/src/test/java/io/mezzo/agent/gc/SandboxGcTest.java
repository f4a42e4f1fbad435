package io.mezzo.agent.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pure GC decision: age against the delay, shortened by disk pressure; tracked sandboxes stay. */
class SandboxGcTest {
  static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  static final Duration WEEK = Duration.ofDays(7);
  static final Path OLD = Path.of("/w/frameworks/f/tasks/old/runs/1");
  static final Path RECENT = Path.of("/w/frameworks/f/tasks/recent/runs/1");
  static final Path RUNNING = Path.of("/w/frameworks/f/tasks/running/runs/1");
  static final List<SandboxGc.Candidate> FOUND = List.of(
      new SandboxGc.Candidate(OLD, NOW.minus(Duration.ofDays(8))),
      new SandboxGc.Candidate(RECENT, NOW.minus(Duration.ofDays(1))),
      new SandboxGc.Candidate(RUNNING, NOW.minus(Duration.ofDays(30))));

  @Test
  void untrackedSandboxesOlderThanTheDelayAreChosen() {
    Duration maxAge = SandboxGc.maxAge(WEEK, 0.0, SandboxGc.DEFAULT_DISK_HEADROOM);
    assertThat(maxAge).isEqualTo(Duration.ofNanos((long) (WEEK.toNanos() * 0.9)));
    assertThat(SandboxGc.select(FOUND, Set.of(RUNNING), NOW, maxAge)).containsExactly(OLD);
  }

  @Test
  void diskPressureShortensTheDelayAsMesosDoes() {
    assertThat(SandboxGc.maxAge(WEEK, 0.5, 0.1)).isEqualTo(Duration.ofNanos((long) (WEEK.toNanos() * 0.4)));
    Duration halfDay = SandboxGc.maxAge(Duration.ofDays(10), 0.85, 0.1);
    assertThat(halfDay).isEqualTo(Duration.ofNanos((long) (Duration.ofDays(10).toNanos() * (1.0 - 0.1 - 0.85))));
    assertThat(SandboxGc.select(FOUND, Set.of(RUNNING), NOW, halfDay)).containsExactly(OLD, RECENT);
  }

  @Test
  void aFullDiskRemovesEveryUntrackedSandboxButNeverATrackedOne() {
    Duration maxAge = SandboxGc.maxAge(WEEK, 0.95, 0.1);
    assertThat(maxAge).isZero();
    assertThat(SandboxGc.select(FOUND, Set.of(RUNNING), NOW, maxAge)).containsExactly(OLD, RECENT);
  }

  @Test
  void aSandboxWrittenJustNowIsKeptEvenWithAZeroAge() {
    List<SandboxGc.Candidate> found = List.of(new SandboxGc.Candidate(RECENT, NOW.plusSeconds(1)));
    assertThat(SandboxGc.select(found, Set.of(), NOW, Duration.ZERO)).isEmpty();
  }

  @Test
  void diskUsageOutsideZeroToOneIsRejected() {
    assertThatThrownBy(() -> SandboxGc.maxAge(WEEK, 1.5, 0.1))
        .hasMessage("diskUsage: 1.5 (expected: 0..1)");
  }

  @Test
  void theScanIntervalFollowsTheDelayWithinBounds() {
    assertThat(SandboxCollector.interval(Duration.ofSeconds(2))).isEqualTo(Duration.ofMillis(200));
    assertThat(SandboxCollector.interval(Duration.ZERO)).isEqualTo(Duration.ofMillis(100));
    assertThat(SandboxCollector.interval(WEEK)).isEqualTo(Duration.ofMinutes(1));
  }
}
