package io.mezzo.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Hostile requests to a real agent's HTTP API on loopback (one agent for the whole class; its master
 * is unreachable, which leaves the API serving): the files API with paths that escape, are malformed,
 * missing or huge, and offsets and lengths that are negative, huge or not numbers; other methods and
 * unknown paths; random headers. Every answer must be a 2xx or a 4xx, never a 5xx, with a body saying
 * why, the agent's files outside the sandboxes must never be served, and the agent must stay healthy.
 */
class AgentHttpFuzzTest {
  static Path workDir;
  static Agent agent;
  static Path stdout;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  static final String SECRET = "agent-private-file-content";

  @BeforeContainer
  static void start() throws Exception {
    workDir = Files.createTempDirectory("agent-fuzz");
    Path run = workDir.resolve("frameworks/fw-1/tasks/t1/runs/r1");
    Files.createDirectories(run);
    stdout = Files.writeString(run.resolve("stdout"), "hello \u00e9\u00e9 world");
    Files.writeString(workDir.resolve("private"), SECRET);
    Files.createSymbolicLink(run.resolve("escape"), workDir.resolve("private"));
    agent = Agent.start(AgentConfig.defaults("127.0.0.1:1", workDir)
        .withResources(io.mezzo.core.model.Resources.parse("cpus:1;mem:64")));
  }

  @AfterContainer
  static void stop() {
    if (agent != null) {
      agent.close();
    }
  }

  @Provide
  Arbitrary<String> path() {
    String real = stdout.toString();
    Arbitrary<String> known = Arbitraries.of(real, "/frameworks/fw-1/tasks/t1/runs/latest/stdout",
        "/frameworks/fw-1/tasks/t1/runs/r1", "/frameworks/fw-1/tasks/t1/runs/r1/escape",
        "/frameworks/fw-1/tasks/t1/runs/r1/../../../../private", workDir.resolve("private").toString(), "/etc/passwd",
        "/frameworks", "/frameworks/fw-1/tasks/t1/runs/nope/stdout", "relative/path", "/", "", "//", "/./frameworks",
        "/frameworks/fw-1/tasks/t1/runs/r1/stdout\u0000", "/frameworks/fw-1/tasks/t1/runs/r1/" + "a".repeat(5000),
        "/frameworks/\u00ff\u2603/tasks/x/runs/y", "/proc/self/environ");
    Arbitrary<String> random = Arbitraries.strings().all().ofMaxLength(60);
    return Arbitraries.oneOf(known, known, random);
  }

  @Provide
  Arbitrary<String> number() {
    return Arbitraries.<String>oneOf(
        Arbitraries.of("", "-1", "-2", "0", "1", "3", "9223372036854775807", "-9223372036854775808",
            "99999999999999999999", "NaN", "1e3", "0x10", " 1", "+5", "\u0661"),
        Arbitraries.longs().map(n -> Long.toString(n)),
        Arbitraries.longs().between(-1, 40).map(n -> Long.toString(n)),
        Arbitraries.longs().between(-1, 40).map(n -> Long.toString(n)),
        Arbitraries.strings().ofMaxLength(10));
  }

  @Property(tries = 300, seed = "8301")
  void filesApiAnswers4xxToHostileQueries(@ForAll("path") String path, @ForAll("number") String offset,
      @ForAll("number") String length, @ForAll boolean browse, @ForAll boolean omitPath) throws Exception {
    String query = (omitPath ? "" : "path=" + enc(path)) + "&offset=" + enc(offset) + "&length=" + enc(length)
        + "&path=" + enc("/etc/passwd"); // a second path must not override the first
    Answer a = get((browse ? "/files/browse?" : "/files/read?") + query);
    Statistics.label("status").collect(a.status);
    assertThat(a.status).as("answer %s to path=%s offset=%s length=%s", a.body, path, offset, length)
        .isBetween(200, 499);
    assertThat(a.body).as("answer to path=%s", path).doesNotContain(SECRET).isNotBlank();
    assertThat(get("/health").status).isEqualTo(200);
  }

  @Property(tries = 100, seed = "8302")
  void unknownMethodsAndPathsAre4xx(@ForAll("method") String method, @ForAll("urlPath") String urlPath)
      throws Exception {
    // a raw socket: java.net.URI would refuse to send the malformed escapes
    String answer;
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", agent.port())) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write((method + " " + urlPath + " HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n"
          + "Connection: close\r\n\r\n{\"type\":").getBytes(StandardCharsets.ISO_8859_1));
      answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(answer).as("%s %s", method, urlPath).matches("(?s)HTTP/1\\.1 [24]\\d\\d .*");
    assertThat(get("/health").status).isEqualTo(200);
  }

  @Provide
  Arbitrary<String> method() {
    return Arbitraries.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "FOO");
  }

  @Provide
  Arbitrary<String> urlPath() {
    return Arbitraries.oneOf(Arbitraries.of("/state", "/health", "/files/read", "/monitor/statistics", "/api/v1",
            "/files/browse", "/state/", "/%2e%2e/etc", "/files/read?path", "/files/read?path=%ZZ", "/?a=%"),
        Arbitraries.strings().withCharRange('a', 'z').withChars('/', '.', '%', '-').ofMaxLength(40).map(s -> "/" + s
            .replace("%", "%25")));
  }

  @Example
  void symlinkOutOfTheSandboxIsRefused() throws Exception {
    Answer a = get("/files/read?path=" + enc("/frameworks/fw-1/tasks/t1/runs/r1/escape"));
    assertThat(a.status).isEqualTo(403);
    assertThat(a.body).doesNotContain(SECRET);
  }

  record Answer(int status, String body) {}

  static Answer get(String pathAndQuery) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + pathAndQuery))
        .timeout(Duration.ofSeconds(20)).GET().build();
    HttpResponse<String> res = client.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Answer(res.statusCode(), res.body());
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
