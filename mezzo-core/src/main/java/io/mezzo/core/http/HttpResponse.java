package io.mezzo.core.http;

import io.mezzo.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What a handler answers: a complete body, or (when {@code streamOpener} is set) the headers of a
 * chunked stream whose body is written later through an {@link HttpStream}. Immutable.
 */
public record HttpResponse(
    int status,
    String contentType,
    byte[] body,
    Map<String, String> headers,
    Consumer<HttpStream> streamOpener) {

  public static final String JSON = "application/json";
  public static final String TEXT = "text/plain; charset=utf-8";

  public static HttpResponse json(int status, Object value) {
    return new HttpResponse(status, JSON, Json.write(value), Map.of(), null);
  }

  public static HttpResponse text(int status, String text) {
    return new HttpResponse(status, TEXT, text.getBytes(StandardCharsets.UTF_8), Map.of(), null);
  }

  public static HttpResponse empty(int status) {
    return new HttpResponse(status, TEXT, new byte[0], Map.of(), null);
  }

  /** A 200 chunked stream; {@code opener} runs once the headers are on the wire. */
  public static HttpResponse stream(String contentType, Map<String, String> headers, Consumer<HttpStream> opener) {
    return new HttpResponse(200, contentType, new byte[0], headers, opener);
  }
}
