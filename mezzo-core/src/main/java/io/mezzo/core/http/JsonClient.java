package io.mezzo.core.http;

import io.mezzo.core.auth.Caller;
import io.mezzo.core.json.Json;
import io.mezzo.core.recordio.RecordIo;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The client half of Mezzo's JSON-over-HTTP APIs, on the JDK's {@link HttpClient}: one-shot JSON
 * posts, and subscriptions whose response is a RecordIO stream of JSON events read by a daemon
 * thread. Given a {@link Caller}, every request carries its bearer token and {@link #uri} uses its
 * scheme ({@code https} with its TLS context). Thread-safe.
 */
public final class JsonClient {
  private final HttpClient http;
  private final Duration requestTimeout;
  private final Caller caller;

  public JsonClient(Duration connectTimeout, Duration requestTimeout) {
    this(connectTimeout, requestTimeout, Caller.NONE);
  }

  /** A client that calls as {@code caller}: its token with every request, its TLS context. */
  public JsonClient(Duration connectTimeout, Duration requestTimeout, Caller caller) {
    this.caller = java.util.Objects.requireNonNull(caller, "caller");
    this.http = caller.configure(HttpClient.newBuilder())
        .connectTimeout(connectTimeout)
        .version(HttpClient.Version.HTTP_1_1)
        .build();
    this.requestTimeout = requestTimeout;
  }

  /** {@code http(s)://hostPort/path}, in the caller's scheme. */
  public URI uri(String hostPort, String pathAndQuery) {
    return caller.uri(hostPort, pathAndQuery);
  }

  private java.net.http.HttpRequest.Builder authorized(java.net.http.HttpRequest.Builder b) {
    return caller.authorize(b);
  }

  /** An HTTP answer: status, headers (first value each, lower-case names) and body text. */
  public record Reply(int status, Map<String, String> headers, String body) {
    public boolean ok() {
      return status / 100 == 2;
    }
  }

  /** Posts {@code body} as JSON; completes with the reply, or exceptionally on I/O failure. */
  public CompletableFuture<Reply> post(URI uri, Object body, Map<String, String> headers) {
    var builder = authorized(java.net.http.HttpRequest.newBuilder(uri))
        .timeout(requestTimeout)
        .header("Content-Type", HttpResponse.JSON)
        .header("Accept", HttpResponse.JSON)
        .POST(BodyPublishers.ofByteArray(Json.write(body)));
    headers.forEach(builder::header);
    return http.sendAsync(builder.build(), BodyHandlers.ofString(StandardCharsets.UTF_8))
        .thenApply(r -> new Reply(r.statusCode(), firstValues(r.headers()), r.body()));
  }

  /** GET returning the body text. */
  public CompletableFuture<Reply> get(URI uri) {
    var request = authorized(java.net.http.HttpRequest.newBuilder(uri)).timeout(requestTimeout).GET().build();
    return http.sendAsync(request, BodyHandlers.ofString(StandardCharsets.UTF_8))
        .thenApply(r -> new Reply(r.statusCode(), firstValues(r.headers()), r.body()));
  }

  /**
   * Posts {@code body} and, on a 200, reads the RecordIO event stream on a daemon thread, giving
   * each decoded event to {@code onEvent} and finally calling {@code onEnd} with the cause (null at a
   * clean end). Blocks until the response headers arrive; a non-200 answer is returned as a reply
   * with its body and no thread is started.
   */
  public <T> Subscription subscribe(URI uri, Object body, Map<String, String> headers, Class<T> eventType,
      Consumer<T> onEvent, Consumer<Throwable> onEnd) throws IOException, InterruptedException {
    var builder = authorized(java.net.http.HttpRequest.newBuilder(uri))
        .header("Content-Type", HttpResponse.JSON)
        .header("Accept", "application/json")
        .POST(BodyPublishers.ofByteArray(Json.write(body)));
    headers.forEach(builder::header);
    java.net.http.HttpResponse<InputStream> response = http.send(builder.build(), BodyHandlers.ofInputStream());
    Map<String, String> responseHeaders = firstValues(response.headers());
    InputStream in = response.body();
    if (response.statusCode() != 200) {
      String text;
      try (in) {
        text = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
      }
      return new Subscription(new Reply(response.statusCode(), responseHeaders, text), null);
    }
    Thread reader = new Thread(() -> {
      Throwable cause = null;
      try (in) {
        RecordIo.Reader records = new RecordIo.Reader(in);
        byte[] record;
        while ((record = records.next()) != null) {
          onEvent.accept(Json.read(record, eventType));
        }
      } catch (IOException | RuntimeException e) {
        cause = e;
      }
      onEnd.accept(cause);
    }, "subscription-" + uri.getPath());
    reader.setDaemon(true);
    Subscription subscription = new Subscription(new Reply(200, responseHeaders, ""), in);
    reader.start();
    return subscription;
  }

  /** An open (or refused) subscription; closing it ends the reader thread. */
  public static final class Subscription implements AutoCloseable {
    private final Reply reply;
    private final InputStream in;

    Subscription(Reply reply, InputStream in) {
      this.reply = reply;
      this.in = in;
    }

    public Reply reply() {
      return reply;
    }

    public boolean isOpen() {
      return in != null;
    }

    @Override
    public void close() {
      if (in != null) {
        try {
          in.close();
        } catch (IOException e) {
          // the stream is being abandoned; a failure to close it changes nothing
        }
      }
    }
  }

  private static Map<String, String> firstValues(java.net.http.HttpHeaders headers) {
    Map<String, String> out = new java.util.HashMap<>();
    headers.map().forEach((k, v) -> {
      if (!v.isEmpty()) {
        out.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0));
      }
    });
    return Map.copyOf(out);
  }
}
