package io.mezzo.testkit;

import org.awaitility.Awaitility;

import io.mezzo.core.recordio.RecordIo;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A Mesos 1.x style client of a v1 streaming HTTP API, as third-party clients are written: plain
 * {@link HttpClient}, one media type for requests and answers ({@code application/json} or
 * {@code application/x-protobuf}), a RecordIO-framed subscription stream read on a daemon thread and
 * decoded by a function the caller gives, and later calls sent with the stream's
 * {@code Mesos-Stream-Id}. It uses nothing of Mezzo's model, so that tests see Mezzo as a foreign
 * client would. Events are kept in a concurrent list; thread-safe.
 *
 * @param <E> the decoded event type (a protobuf {@code Event}, a JSON tree, ...)
 */
public final class MesosStream<E> implements AutoCloseable {
  /** Decodes one RecordIO record. */
  @FunctionalInterface
  public interface Decoder<E> {
    E decode(byte[] record) throws Exception;
  }

  private final HttpClient http;
  private final URI endpoint;
  private final String mediaType;
  private final HttpResponse<InputStream> response;
  private final List<E> events = new CopyOnWriteArrayList<>();
  private volatile boolean ended;
  private volatile Throwable failure;

  private MesosStream(HttpClient http, URI endpoint, String mediaType, HttpResponse<InputStream> response) {
    this.http = http;
    this.endpoint = endpoint;
    this.mediaType = mediaType;
    this.response = response;
  }

  /**
   * POSTs {@code subscribe} to {@code endpoint} with {@code Content-Type} and {@code Accept} both
   * {@code mediaType}, and reads the answer's RecordIO stream with {@code decoder}.
   *
   * @throws IllegalStateException naming the status and body when the answer is not a 200 stream
   */
  public static <E> MesosStream<E> open(URI endpoint, String mediaType, byte[] subscribe, Decoder<E> decoder) {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request = HttpRequest.newBuilder(endpoint)
        .header("Content-Type", mediaType).header("Accept", mediaType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(subscribe)).build();
    HttpResponse<InputStream> response;
    try {
      response = http.send(request, BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new IllegalStateException("cannot subscribe at " + endpoint + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while subscribing", e);
    }
    if (response.statusCode() != 200) {
      String body;
      try (InputStream in = response.body()) {
        body = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
      } catch (IOException e) {
        body = "(unreadable: " + e + ")";
      }
      throw new IllegalStateException("subscribe at " + endpoint + ": HTTP " + response.statusCode() + ": " + body);
    }
    MesosStream<E> stream = new MesosStream<>(http, endpoint, mediaType, response);
    Thread reader = new Thread(() -> stream.read(decoder), "mesos-stream-" + endpoint.getPath());
    reader.setDaemon(true);
    reader.start();
    return stream;
  }

  private void read(Decoder<E> decoder) {
    try (InputStream in = response.body()) {
      RecordIo.Reader records = new RecordIo.Reader(in);
      byte[] record;
      while ((record = records.next()) != null) {
        events.add(decoder.decode(record));
      }
    } catch (Exception e) {
      failure = e;
    } finally {
      ended = true;
    }
  }

  /** A header of the subscription's answer, such as {@code Mesos-Stream-Id} or {@code Content-Type}. */
  public Optional<String> header(String name) {
    return response.headers().firstValue(name);
  }

  public String streamId() {
    return header("Mesos-Stream-Id").orElseThrow(() -> new IllegalStateException("no Mesos-Stream-Id header"));
  }

  /** Every event so far, in arrival order. */
  public List<E> events() {
    return events;
  }

  /** Whether the stream ended (closed by the server, or failed: see {@link #failure}). */
  public boolean hasEnded() {
    return ended;
  }

  /** Why reading failed (a decoding or I/O error), or null. */
  public Throwable failure() {
    return failure;
  }

  /** Waits for the first event (past or future) that satisfies {@code test}. */
  public E await(String what, Predicate<E> test, Duration atMost) {
    Awaitility.await(what).atMost(atMost).pollInterval(Duration.ofMillis(20))
        .until(() -> find(test).isPresent() || ended);
    return find(test).orElseThrow(() -> new AssertionError(what + ": the stream ended first"
        + (failure == null ? "" : ": " + failure), failure));
  }

  private Optional<E> find(Predicate<E> test) {
    return events.stream().filter(test).findFirst();
  }

  /** POSTs a call in the stream's media type, with its {@code Mesos-Stream-Id}; returns the answer. */
  public HttpResponse<String> post(byte[] call) {
    HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
        .header("Content-Type", mediaType).header("Accept", mediaType).header("Mesos-Stream-Id", streamId())
        .POST(HttpRequest.BodyPublishers.ofByteArray(call)).build();
    try {
      return http.send(request, BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("POST " + endpoint + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Drops the subscription connection. */
  @Override
  public void close() {
    try {
      response.body().close();
    } catch (IOException e) {
      // abandoning the stream; nothing more to do
    }
  }
}
