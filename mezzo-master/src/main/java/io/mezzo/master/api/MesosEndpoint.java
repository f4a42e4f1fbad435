package io.mezzo.master.api;

import com.google.protobuf.Descriptors.Descriptor;
import io.mezzo.core.http.HttpError;
import io.mezzo.core.http.HttpHandler;
import io.mezzo.core.http.HttpRequest;
import io.mezzo.core.http.HttpResponse;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Puts both encodings of a Mesos v1 HTTP API, {@code application/json} and
 * {@code application/x-protobuf}, in front of a handler that speaks JSON only.
 *
 * <p>Requests: a protobuf body is parsed as the API's {@code Call} and handed on as JSON (with
 * {@code Content-Type: application/json}); a JSON body is handed on untouched; any other content
 * type is a 415 naming the two accepted ones, and bytes that are not a {@code Call} are a 400.
 *
 * <p>Responses follow the {@code Accept} header as Mesos does: JSON when it accepts JSON (also when
 * it is absent or {@code *}{@code /*}), else protobuf when it accepts protobuf, else a 406. A JSON
 * answer is passed on untouched, so JSON clients pay nothing. For a protobuf answer, a 2xx JSON body
 * is re-encoded as the API's {@code Response} and a stream's RecordIO-framed JSON events as
 * RecordIO-framed {@code Event}s; error bodies stay text.
 *
 * <p>Immutable and thread-safe; it runs on the HTTP event loop like the handler it wraps.
 */
public final class MesosEndpoint implements HttpHandler {
  private static final String JSON = "application/json";
  private static final String PROTOBUF = MesosProtobuf.CONTENT_TYPE;

  private final Descriptor call;
  private final Descriptor response;
  private final Descriptor event;
  private final HttpHandler json;

  private MesosEndpoint(Descriptor call, Descriptor response, Descriptor event, HttpHandler json) {
    this.call = call;
    this.response = response;
    this.event = event;
    this.json = json;
  }

  /** {@code POST /api/v1/scheduler}: {@code mesos.v1.scheduler.Call}, {@code Response}, {@code Event}. */
  public static HttpHandler scheduler(HttpHandler json) {
    return of(org.apache.mesos.v1.scheduler.Protos.Call.getDescriptor(),
        org.apache.mesos.v1.scheduler.Protos.Response.getDescriptor(),
        org.apache.mesos.v1.scheduler.Protos.Event.getDescriptor(), json);
  }

  /** {@code POST /api/v1} (operator API): {@code mesos.v1.master.Call}, {@code Response}, {@code Event}. */
  public static HttpHandler operator(HttpHandler json) {
    return of(org.apache.mesos.v1.master.Protos.Call.getDescriptor(),
        org.apache.mesos.v1.master.Protos.Response.getDescriptor(),
        org.apache.mesos.v1.master.Protos.Event.getDescriptor(), json);
  }

  /** Any API, given the descriptors of its call, response and event messages. */
  public static HttpHandler of(Descriptor call, Descriptor response, Descriptor event, HttpHandler json) {
    if (call == null || response == null || event == null || json == null) {
      throw new IllegalArgumentException("call, response, event, json: null (expected: all given)");
    }
    return new MesosEndpoint(call, response, event, json);
  }

  @Override
  public CompletionStage<HttpResponse> handle(HttpRequest request) throws Exception {
    String contentType = mediaType(request.header("Content-Type"));
    boolean protobufRequest = PROTOBUF.equals(contentType);
    if (!protobufRequest && !JSON.equals(contentType)) {
      throw new HttpError(415, "Content-Type: '" + request.header("Content-Type") + "' (expected: "
          + JSON + " or " + PROTOBUF + ")");
    }
    boolean protobufResponse = wantsProtobuf(request.header("Accept"));
    HttpRequest forward = protobufRequest ? asJson(request) : request;
    CompletionStage<HttpResponse> answer = json.handle(forward);
    return protobufResponse ? answer.thenApply(this::toProtobuf) : answer;
  }

  private HttpRequest asJson(HttpRequest request) {
    byte[] body = MesosProtobuf.toJson(call, request.body());
    Map<String, String> headers = new HashMap<>(request.headers());
    headers.put("content-type", JSON);
    return new HttpRequest(request.method(), request.path(), request.query(), Map.copyOf(headers), body,
        request.remote(), request.principal());
  }

  private HttpResponse toProtobuf(HttpResponse r) {
    if (r.streamOpener() != null) {
      var opener = r.streamOpener();
      return new HttpResponse(r.status(), PROTOBUF, r.body(), r.headers(),
          stream -> opener.accept(new ProtobufStream(stream, event)));
    }
    if (r.status() / 100 != 2 || r.body().length == 0 || !JSON.equals(mediaType(r.contentType()))) {
      return r;
    }
    try {
      return new HttpResponse(r.status(), PROTOBUF, MesosProtobuf.fromJson(response, r.body()), r.headers(), null);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("BUG: answer does not fit the protobuf response: " + e.getMessage(), e);
    }
  }

  /** Mesos's choice: JSON if acceptable, else protobuf if acceptable, else 406. */
  static boolean wantsProtobuf(String accept) {
    if (accepts(accept, JSON)) {
      return false;
    }
    if (accepts(accept, PROTOBUF)) {
      return true;
    }
    throw new HttpError(406, "Accept: '" + accept + "' (expected: to allow " + JSON + " or " + PROTOBUF + ")");
  }

  /**
   * Whether an {@code Accept} header allows {@code type}: the most specific matching media range
   * ({@code a/b}, then {@code a/*}, then {@code *}{@code /*}) decides, and allows unless its
   * {@code q} is 0. No header allows everything.
   */
  static boolean accepts(String accept, String type) {
    if (accept == null || accept.isBlank()) {
      return true;
    }
    String family = type.substring(0, type.indexOf('/') + 1) + "*";
    int bestRank = -1;
    double bestQ = 0;
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      String media = parts[0].trim().toLowerCase(Locale.ROOT);
      int rank = media.equals(type) ? 2 : media.equals(family) ? 1 : media.equals("*/*") ? 0 : -1;
      if (rank > bestRank) {
        bestRank = rank;
        bestQ = quality(parts);
      }
    }
    return bestRank >= 0 && bestQ > 0;
  }

  private static double quality(String[] parts) {
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      if (p.startsWith("q=")) {
        try {
          return Double.parseDouble(p.substring(2));
        } catch (NumberFormatException e) {
          throw HttpError.badRequest("Accept: q='" + p.substring(2) + "' (expected: a number from 0 to 1)");
        }
      }
    }
    return 1;
  }

  /** The media type without parameters, lower-case; null stays null. */
  private static String mediaType(String header) {
    if (header == null) {
      return null;
    }
    int semicolon = header.indexOf(';');
    return (semicolon < 0 ? header : header.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }
}
