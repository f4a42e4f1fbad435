package io.mezzo.agent.resources;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.model.Resources;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Detected resources keep a share of memory and disk for the system, as Mesos does. */
class ResourceDetectorTest {
  @Test
  void bigMachinesKeepOneGigabyteOfMemoryAndFiveOfDisk() {
    assertThat(ResourceDetector.compute(8, 16384, 100_000))
        .isEqualTo(Resources.parse("cpus:8;mem:15360;disk:94880;ports:[31000-32000]"));
  }

  @Test
  void smallMachinesKeepHalf() {
    assertThat(ResourceDetector.compute(1, 1000, 4000))
        .isEqualTo(Resources.parse("cpus:1;mem:500;disk:2000;ports:[31000-32000]"));
  }

  @Test
  void detectionReadsThisMachine(@TempDir Path dir) {
    Resources r = ResourceDetector.detect(dir);
    assertThat(r.scalar("cpus")).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(r.scalar("mem")).isPositive();
    assertThat(r.scalar("disk")).isPositive();
    assertThat(r.ranges("ports")).isEqualTo(ResourceDetector.DEFAULT_PORTS);
  }
}
