package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.balancer.Balancer;
import io.mezzo.load.Interval;
import io.mezzo.load.LoadResult;
import io.mezzo.load.OpenLoopLoad;
import io.mezzo.load.RateProfile;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.V2Client;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The autoscaler's end-to-end promise on a real cluster (master with the services scheduler and the
 * autoscaler, agents running real sample-server JVMs, a load balancer in front, an open-loop load
 * generator measuring latency from each request's intended send time):
 * <ul>
 *   <li>each instance serves at most 2 requests at once, for 50 ms each (40 requests/s: a server with
 *       two request threads); the app scales between 1 and 6 instances on in-flight requests per
 *       instance (target 1);
 *   <li>the load ramps from 10 to 100 requests/s in 10 s: one instance is overwhelmed and the p95
 *       latency goes far over the SLO (250 ms); instances rise, and the p95 over the last 10 s of the
 *       plateau is back under the SLO;
 *   <li>the load drops to 15 requests/s: the count stays up for the 15 s scale-down stabilization
 *       window, then falls back to 1, the removed instances drained;
 *   <li>not one request fails from start to end.
 * </ul>
 */
class AutoscalerSloClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final double SLO_MS = 250;
  private static final int WINDOW_SECONDS = 15;
  private static final double RAMP_SECONDS = 10;
  private static final double PLATEAU_END = 60;
  private static final double END = 105;

  @TempDir
  Path dir;

  MezzoCluster cluster;
  Balancer balancer;
  ScheduledExecutorService poller;

  @AfterEach
  void stop() {
    if (poller != null) {
      poller.shutdownNow();
    }
    if (balancer != null) {
      balancer.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The instance count seen at a time of the load's measured window. */
  record Count(double second, int instances) {}

  @Test
  void instancesFollowARampUntilLatencyMeetsTheSloAndFallBackAfterTheWindowWithoutAFailedRequest()
      throws Exception {
    int lbPort = MezzoCluster.freeLoopbackPort();
    LbClusterSupport.AutoscaledCluster started = LbClusterSupport.AutoscaledCluster.start(dir, WAIT);
    cluster = started.cluster();
    balancer = started.balancer();
    V2Client v2 = started.v2();

    String policy = ",\"autoscaling\":{\"minInstances\":1,\"maxInstances\":6,\"evaluationSeconds\":2,"
        + "\"metrics\":[{\"name\":\"inFlight\",\"target\":1}],"
        + "\"behavior\":{\"scaleDown\":{\"stabilizationWindowSeconds\":" + WINDOW_SECONDS + "}}}";
    String app = LbClusterSupport.sampleApp("/slo", 1, Map.of("mezzo.drain.seconds", "5",
        "MEZZO_LB_PORT_0", String.valueOf(lbPort), "MEZZO_LB_BALANCE_0", "least_request"), policy)
        .replace("sample-server --port $PORT0", "sample-server --port $PORT0 --latency-ms 50 --concurrency 2");
    V2Client.Answer posted = v2.post("/v2/apps", app);
    assertThat(posted.status()).as(posted.toString()).isEqualTo(201);
    await().atMost(WAIT).until(() -> LbClusterSupport.healthy(v2, "/slo") == 1);
    await("the route serves").atMost(WAIT).ignoreExceptions()
        .until(() -> LbClusterSupport.get(lbPort, "x", "/").status() == 200);

    RateProfile profile = RateProfile.ramp(10, 100, Duration.ofMillis((long) (RAMP_SECONDS * 1000)))
        .then(RateProfile.constant(100, Duration.ofMillis((long) ((PLATEAU_END - RAMP_SECONDS) * 1000))))
        .then(RateProfile.constant(15, Duration.ofMillis((long) ((END - PLATEAU_END) * 1000))));
    OpenLoopLoad.Config config = OpenLoopLoad.Config.of("http://127.0.0.1:" + lbPort + "/", profile, 64)
        .with(2, Duration.ofSeconds(30));
    List<Interval> intervals = new CopyOnWriteArrayList<>();
    List<Count> counts = new CopyOnWriteArrayList<>();
    long start = System.nanoTime();
    poller = Executors.newSingleThreadScheduledExecutor();
    poller.scheduleWithFixedDelay(() -> {
      try {
        int n = v2.get("/v2/apps/slo").json().path("app").path("instances").asInt();
        counts.add(new Count((System.nanoTime() - start) / 1e9, n));
      } catch (RuntimeException e) {
        // the next poll tries again
      }
    }, 0, 500, TimeUnit.MILLISECONDS);
    LoadResult result = OpenLoopLoad.run(config, intervals::add);
    poller.shutdownNow();

    System.out.println("load: " + result.line());
    System.out.println(Interval.HEADER + "  instances");
    for (Interval i : intervals) {
      System.out.println(i.line() + "  " + countAt(counts, i.toSeconds()));
    }
    JsonNode decisions = cluster.getJson(cluster.master().port(), "/v1/autoscaler/apps/slo").path("decisions");
    System.out.println("autoscaler decisions on /slo: " + decisions);

    assertThat(result.errors()).as("failed requests: %s", result.line()).isZero();
    assertThat(result.responses()).isGreaterThan((long) (profile.requests() * 0.95));

    double worst = intervals.stream().filter(i -> i.toSeconds() <= PLATEAU_END)
        .mapToDouble(i -> i.latencyMs(95)).max().orElse(0);
    Histogram lastTen = merged(intervals, PLATEAU_END - 10, PLATEAU_END);
    double settled = lastTen.getValueAtPercentile(95) / 1000.0;
    // the ramp queued requests on the one instance (3x its 50 ms service time, twice the settled p95):
    // how far above the SLO it went depends on how fast the machine runs the load and the scale-up
    assertThat(worst).as("one instance was overwhelmed (the worst 1 s p95, ms)")
        .isGreaterThan(Math.max(150, 2 * settled));
    assertThat(settled).as("p95 over the plateau's last 10 s, ms").isLessThan(SLO_MS);

    int peak = counts.stream().filter(c -> c.second() <= PLATEAU_END).mapToInt(Count::instances).max().orElse(0);
    assertThat(peak).as("instances at the peak").isBetween(5, 6);
    int atDrop = countAt(counts, PLATEAU_END);
    assertThat(atDrop).as("instances when the load dropped").isGreaterThanOrEqualTo(4);
    // the count held for the window after the drop (less the evaluation period and a poll of slack)
    double firstLow = counts.stream().filter(c -> c.second() > PLATEAU_END && c.instances() <= 2)
        .mapToDouble(Count::second).min().orElse(Double.NaN);
    assertThat(firstLow - PLATEAU_END).as("seconds from the drop to the count falling to 2 or less")
        .isGreaterThanOrEqualTo(WINDOW_SECONDS - 3.0);
    await("back to the minimum").atMost(WAIT)
        .until(() -> v2.get("/v2/apps/slo").json().path("app").path("instances").asInt() == 1);
  }

  private static int countAt(List<Count> counts, double second) {
    int n = 0;
    for (Count c : counts) {
      if (c.second() <= second) {
        n = c.instances();
      }
    }
    return n;
  }

  private static Histogram merged(List<Interval> intervals, double from, double to) {
    Histogram all = new Histogram(3);
    for (Interval i : intervals) {
      if (i.fromSeconds() >= from && i.toSeconds() <= to) {
        all.add(i.latency());
      }
    }
    return all;
  }
}
