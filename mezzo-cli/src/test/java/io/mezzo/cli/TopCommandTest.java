package io.mezzo.cli;

import static io.mezzo.cli.CliRun.mezzo;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code mezzo top --once} against a scripted master, autoscaler and load balancer: the header sums the
 * agents' resources, each app's row joins its instance counts, the balancer's load on its routes only,
 * its tasks' usage and the autoscaler's recommendation; {@code --sort} orders by a figure, lines are cut
 * to the width, and a balancer that does not answer is a line saying what to pass.
 */
class TopCommandTest {
  private final FakeMarathon master = ClusterJson.serve(new FakeMarathon());

  @AfterEach
  void stop() {
    master.close();
  }

  private List<String> top(String... more) {
    String[] args = new String[more.length + 6];
    System.arraycopy(new String[] {"top", "--once", "--master", master.address(), "--lb-stats", master.address()}, 0,
        args, 0, 6);
    System.arraycopy(more, 0, args, 6, more.length);
    CliRun run = mezzo(args);
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).doesNotContain("\033"); // --once draws no terminal codes
    return run.out().lines().toList();
  }

  @Test
  void oneFrameShowsTheClusterAndEachAppsInstancesLoadUsageAndRecommendation() {
    List<String> lines = top("--width", "200");

    assertThat(lines.get(0)).startsWith("mezzo top  master " + master.address() + "  ").endsWith(" UTC");
    assertThat(lines.get(1)).isEqualTo(
        "agents 1/2 active  cpus 0.75/8 (9%)  mem 320/8192 MB (4%)  frameworks 1  tasks 3  apps 2");
    int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("APP")).findFirst().orElseThrow());
    assertThat(lines.get(header).split("\\s+")).containsExactly("APP", "DESIRED", "RUNNING", "HEALTHY", "STAGED",
        "REQ/S", "P95_MS", "IN_FLIGHT", "CPU", "MEM_MB", "AUTOSCALE");
    assertThat(lines.get(header + 1).split("\\s+")).containsExactly("/batch", "1", "1", "-", "0", "-", "-", "-", "1",
        "10", "-");
    // /web's route only (not /webby's), its two tasks' usage, and the autoscaler's 5
    assertThat(lines.get(header + 2).split("\\s+")).containsExactly("/web*", "3", "2", "2/3", "1", "42.5", "81.3", "3",
        "0.75", "150", "->", "5");
    assertThat(lines).contains("* a deployment is in progress").noneMatch(l -> l.startsWith("!"));
  }

  @Test
  void sortPutsTheLargestFigureFirstAndAppsWithoutItLast() {
    List<String> byRps = top("--sort", "rps");
    int header = byRps.indexOf(byRps.stream().filter(l -> l.startsWith("APP")).findFirst().orElseThrow());
    assertThat(byRps.get(header + 1)).startsWith("/web*");
    assertThat(byRps.get(header + 2)).startsWith("/batch");

    List<String> byCpu = top("--sort", "cpu");
    assertThat(byCpu.get(header + 1)).startsWith("/batch"); // 1 cpu against 0.75
  }

  @Test
  void linesAreCutToTheWidth() {
    assertThat(top("--width", "40")).allMatch(l -> l.length() <= 40).anyMatch(l -> l.length() == 40);
  }

  @Test
  void withoutLbStatsTheBalancersComeFromTheMastersV1Balancers() {
    master.on("GET", "/v1/balancers", 200, "{\"balancers\": [{\"address\": \"127.0.0.1:9\", \"ok\": true, \"stats\": "
        + ClusterJson.LB_STATS + "}, {\"address\": \"127.0.0.1:7\", \"ok\": false, \"error\": \"cannot be reached\","
        + " \"stats\": null}]}");
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("MEZZO_LB_STATS") == null, "MEZZO_LB_STATS is set");

    CliRun run = mezzo("top", "--once", "--master", master.address(), "--width", "200");

    assertThat(run.exit()).as(run.toString()).isZero();
    List<String> lines = run.out().lines().toList();
    assertThat(lines).anyMatch(l -> l.startsWith("/web*") && l.contains(" 42.5 ") && l.contains(" 81.3 "));
    assertThat(lines).contains("! lb 127.0.0.1:7 (as the master reports it): cannot be reached; req/s, p95 and in-flight unknown");
    assertThat(master.seen()).noneMatch(r -> r.path().equals("/stats")); // the master's answer, not the balancer's own
  }

  @Test
  void aBalancerThatDoesNotAnswerIsALineSayingWhatToPass() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    CliRun run = mezzo("top", "--once", "--master", master.address(), "--lb-stats", "127.0.0.1:" + closed,
        "--width", "300");
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).contains("! no load balancer stats at 127.0.0.1:" + closed
        + ": req/s, p95 and in-flight unknown (pass --lb-stats HOST:PORT");
  }

  @Test
  void theWidthComesFromTheFlagThenColumnsThenSttyThen120AndTheHeightFromStty() {
    assertThat(TopView.width(80, "100", "40 132")).isEqualTo(80);
    assertThat(TopView.width(0, "100", "40 132")).isEqualTo(100);
    assertThat(TopView.width(0, null, "40 132")).isEqualTo(132);
    assertThat(TopView.width(0, "wide", "garbage")).isEqualTo(120);
    assertThat(TopView.width(0, null, null)).isEqualTo(120);
    assertThat(TopView.rows("40 132")).isEqualTo(40);
    assertThat(TopView.rows(null)).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void aTooShortIntervalExits2() {
    CliRun run = mezzo("top", "--interval", "10ms", "--master", master.address());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("mezzo top: --interval: 10ms (expected: >= 100ms)\n");
  }
}
