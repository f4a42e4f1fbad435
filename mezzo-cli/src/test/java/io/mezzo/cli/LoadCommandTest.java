package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code mezzo load} against a real HTTP server on loopback: a ramp and steps print a line per second
 * whose target follows the rate, then the summary; bad flags exit 2 naming the flag.
 */
class LoadCommandTest {
  private HttpServer server;
  private ExecutorService workers;
  private final Set<String> hosts = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    workers = Executors.newFixedThreadPool(4);
    server.setExecutor(workers);
    server.createContext("/", exchange -> {
      hosts.add(exchange.getRequestHeaders().getFirst("Host"));
      byte[] body = "hello\n".getBytes(StandardCharsets.US_ASCII);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stopServer() throws InterruptedException {
    server.stop(0);
    workers.shutdownNow();
    workers.awaitTermination(5, TimeUnit.SECONDS);
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  /** The per-second lines: those under the header, before the summary. */
  private static List<String[]> seconds(CliRun run) {
    List<String> lines = Arrays.asList(run.out().split("\n"));
    int header = lines.indexOf(lines.stream().filter(l -> l.trim().startsWith("time_s")).findFirst().orElseThrow());
    return lines.subList(header + 1, lines.size()).stream().filter(l -> !l.startsWith("open-loop"))
        .map(l -> l.trim().split("\\s+")).toList();
  }

  @Test
  void aRampPrintsEachSecondAndTheSummary() {
    CliRun run = CliRun.mezzo("load", "--rate", "50", "--ramp-to", "150", "--duration", "3s", "--connections", "4",
        "-H", "demo.local", url());

    assertThat(run.exit()).as("%s", run).isZero();
    assertThat(run.out()).contains("50->150:3s requests/s").contains("(Host: demo.local)");
    List<String[]> seconds = seconds(run);
    assertThat(seconds).as("%s", run).hasSizeBetween(3, 4);
    assertThat(seconds.subList(0, 3)).extracting(l -> l[0]).containsExactly("1.0", "2.0", "3.0");
    assertThat(seconds.subList(0, 3)).extracting(l -> l[1]).as("targets").containsExactly("66.7", "100.0", "133.3");
    assertThat(seconds).extracting(l -> l[6]).as("errors").containsOnly("0");
    assertThat(seconds.stream().mapToDouble(l -> Double.parseDouble(l[2])).sum()).as("achieved, summed")
        .isEqualTo(300.0);
    assertThat(run.out()).containsPattern("(?m)^open-loop url=" + url() + " rate=100\\.0 connections=4 seconds=3\\.0 "
        + "requests=300 responses=300 .* errors=0 ");
    assertThat(hosts).containsOnly("demo.local");
  }

  @Test
  void stepsHoldEachRateForTheirSecond() {
    CliRun run = CliRun.mezzo("load", "--ramp", "40:1s,0:1s,20:1s", "--connections", "2", url());

    assertThat(run.exit()).as("%s", run).isZero();
    List<String[]> seconds = seconds(run);
    assertThat(seconds.subList(0, 3)).as("%s", run).extracting(l -> l[1]).containsExactly("40.0", "0.0", "20.0");
    assertThat(seconds.stream().mapToDouble(l -> Double.parseDouble(l[2])).sum()).as("achieved, summed: %s", run)
        .isEqualTo(60.0);
    assertThat(run.out()).contains("requests=60 responses=60").contains("errors=0 ");
    assertThat(hosts).containsOnly("127.0.0.1:" + server.getAddress().getPort());
  }

  @Test
  void badFlagsExit2NamingTheFlag() {
    assertBad("--ramp: '50:1s' gives the rates and durations (expected: no --rate, --duration or --ramp-to with it)",
        "load", "--ramp", "50:1s", "--rate", "10", url());
    assertBad("--rate: missing (expected: requests/s, or --ramp SPEC)", "load", "--duration", "5s", url());
    assertBad("--duration: missing (expected: how long to send, e.g. 30s or 2m)", "load", "--rate", "5", url());
    assertBad("--rate: 0.0 (expected: > 0 requests/s)", "load", "--rate", "0", "--duration", "5s", url());
    assertBad("--ramp-to: -3.0 (expected: >= 0 requests/s)", "load", "--rate", "5", "--ramp-to", "-3",
        "--duration", "5s", url());
    assertBad("--ramp: duration 'soon' in '50:soon' (expected: such as 500ms, 30s, 2m or 1h)", "load", "--ramp",
        "50:soon", url());
    assertBad("--connections: 0 (expected: >= 1)", "load", "--rate", "5", "--duration", "1s", "--connections", "0",
        url());
    assertBad("URL: https://example.com/ (expected: http://host[:port]/path)", "load", "--rate", "5", "--duration",
        "1s", "https://example.com/");
    assertBad("--host: 'a b\u0001' (expected: a host name, printable ASCII)", "load", "--rate", "5", "--duration",
        "1s", "-H", "a b\u0001", url());
    CliRun run = CliRun.mezzo("load", "--rate", "5", "--duration", "5 minutes", url());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("--duration").contains("'5 minutes'");
    assertThat(CliRun.mezzo("load", "--rate", "5", "--duration", "1s").exit()).as("no URL").isEqualTo(2);
    assertThat(hosts).as("nothing was sent").isEmpty();
  }

  private static void assertBad(String message, String... args) {
    CliRun run = CliRun.mezzo(args);
    assertThat(run.exit()).as("%s", run).isEqualTo(2);
    assertThat(run.err()).as("%s", run).isEqualTo("mezzo load: " + message + "\n");
    assertThat(run.out()).isEmpty();
  }
}
