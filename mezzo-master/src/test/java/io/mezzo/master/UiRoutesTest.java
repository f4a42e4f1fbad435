package io.mezzo.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dashboard's files as a real server answers them (the bundle comes from the mezzo-ui module's jar). */
class UiRoutesTest {
  static HttpServer server;
  static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() {
    HttpServer.Builder b = HttpServer.builder().bind("127.0.0.1", 0);
    UiRoutes.add(b);
    server = b.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      r.headers(headers);
    }
    return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void rootAndBareUiRedirectToTheDashboard() throws Exception {
    for (String path : new String[] {"/", "/ui"}) {
      HttpResponse<String> r = get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(302);
      assertThat(r.headers().firstValue("Location")).as(path).contains("/ui/");
    }
  }

  @Test
  void indexScriptAndStylesheetAreServedWithTheirTypes() throws Exception {
    HttpResponse<String> index = get("/ui/");
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
    assertThat(index.body()).contains("<script type=\"module\" src=\"app.js\">").contains("app.css");
    HttpResponse<String> js = get("/ui/app.js");
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
    assertThat(js.body()).contains("/v2/events").contains("u-legend"); // uPlot is bundled
    HttpResponse<String> css = get("/ui/app.css");
    assertThat(css.headers().firstValue("Content-Type")).contains("text/css; charset=utf-8");
    assertThat(css.body()).contains(".uplot");
  }

  @Test
  void anUnchangedFileIsRevalidatedWithoutItsBody() throws Exception {
    HttpResponse<String> first = get("/ui/app.js");
    assertThat(first.headers().firstValue("Cache-Control")).contains("no-cache");
    String etag = first.headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> again = get("/ui/app.js", "If-None-Match", etag);
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
    assertThat(get("/ui/app.js", "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);
  }

  @Test
  void anUnknownFileIsA404NamingIt() throws Exception {
    HttpResponse<String> r = get("/ui/../master/state");
    assertThat(r.statusCode()).isIn(400, 404);
    HttpResponse<String> missing = get("/ui/nope.js");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).startsWith("dashboard file: 'nope.js' (expected: one of ");
  }
}
