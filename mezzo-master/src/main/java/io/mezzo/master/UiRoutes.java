package io.mezzo.master;

import io.mezzo.core.auth.Access;
import io.mezzo.core.http.HttpRequest;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The web dashboard's static files at {@code /ui/} ({@code /} and {@code /ui} answer 302 to it), read
 * once from the class path ({@code io/mezzo/ui/static/}, which the {@code mezzo-ui} module's esbuild
 * step fills). They are open to anyone ({@link Access#PUBLIC}): they hold no cluster data; every API
 * call the page makes carries the user's token and is checked as usual.
 *
 * <p>The file names carry no content hash, so every answer says {@code Cache-Control: no-cache} with
 * a strong {@code ETag}: a browser revalidates and gets a bodiless 304 while the master runs the same
 * build. A build without the bundle (the module was skipped) answers 503 saying so, rather than an
 * empty page. Immutable after construction; handlers run on any HTTP thread.
 */
final class UiRoutes {
  static final String PREFIX = "/ui/";
  private static final String ROOT = "io/mezzo/ui/static/";
  private static final Map<String, String> TYPES = Map.of(
      "index.html", "text/html; charset=utf-8",
      "app.js", "text/javascript; charset=utf-8",
      "app.css", "text/css; charset=utf-8",
      "favicon.svg", "image/svg+xml");
  private static final String POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline';"
      + " frame-ancestors 'none'";

  private record Asset(String type, byte[] body, String etag) {}

  private final Map<String, Asset> assets;

  private UiRoutes(Map<String, Asset> assets) {
    this.assets = assets;
  }

  /** Adds {@code GET /}, {@code GET /ui} (both redirects) and {@code GET /ui/*} to {@code b}. */
  static void add(HttpServer.Builder b) {
    UiRoutes ui = new UiRoutes(load(UiRoutes.class.getClassLoader()));
    b.route("GET", "/", Access.PUBLIC, req -> redirect());
    b.route("GET", "/ui", Access.PUBLIC, req -> redirect());
    b.prefixRoute("GET", PREFIX, Access.PUBLIC, ui::serve);
  }

  private static CompletionStage<HttpResponse> redirect() {
    return CompletableFuture.completedFuture(new HttpResponse(302, HttpResponse.TEXT, new byte[0],
        Map.of("Location", PREFIX, "Cache-Control", "no-cache"), null));
  }

  private CompletionStage<HttpResponse> serve(HttpRequest req) {
    return CompletableFuture.completedFuture(answer(req.path().substring(PREFIX.length()), req.header("If-None-Match")));
  }

  HttpResponse answer(String name, String ifNoneMatch) {
    if (assets.isEmpty()) {
      return HttpResponse.text(503, "dashboard: not in this build (expected: the mezzo-ui module's bundle under "
          + ROOT + " on the class path; build with `mvn package`, which runs npm)");
    }
    Asset a = assets.get(name.isEmpty() ? "index.html" : name);
    if (a == null) {
      return HttpResponse.text(404, "dashboard file: '" + name + "' (expected: one of " + assets.keySet() + ")");
    }
    Map<String, String> headers = Map.of("Cache-Control", "no-cache", "ETag", a.etag(),
        "X-Content-Type-Options", "nosniff", "Content-Security-Policy", POLICY);
    if (a.etag().equals(ifNoneMatch)) {
      return new HttpResponse(304, a.type(), new byte[0], headers, null);
    }
    return new HttpResponse(200, a.type(), a.body(), headers, null);
  }

  /** The bundle's files found under {@link #ROOT}; none when the bundle is absent. */
  private static Map<String, Asset> load(ClassLoader loader) {
    Map<String, Asset> out = new LinkedHashMap<>();
    TYPES.forEach((name, type) -> {
      try (InputStream in = loader.getResourceAsStream(ROOT + name)) {
        if (in != null) {
          byte[] body = in.readAllBytes();
          out.put(name, new Asset(type, body, etag(body)));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("dashboard file " + ROOT + name + ": unreadable", e);
      }
    });
    return Map.copyOf(out);
  }

  private static String etag(byte[] body) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(body);
      return "\"" + HexFormat.of().formatHex(d, 0, 12) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("BUG: the JDK has no SHA-256", e);
    }
  }
}
