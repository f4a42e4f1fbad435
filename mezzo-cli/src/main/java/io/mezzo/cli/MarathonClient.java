package io.mezzo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.mezzo.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The client side of the services scheduler's Marathon-shaped {@code /v2} API on one master: sends
 * one request and returns the status with the body as a JSON tree (a text node when the body is not
 * JSON, a missing node when it is empty). Bodies go out as given: Marathon's camelCase names are not
 * rewritten. Failing to reach the master is a {@link CliFailure} saying what to do next: a refused
 * connection is {@code no master at H:P (connection refused): is `mezzo up` running? ...}, any other
 * failure {@code cannot reach master at H:P: ...}; every other outcome is an {@link Answer} for the
 * caller to judge, helped by {@link #check}.
 *
 * <p>Redirects: a standby master answers every request with {@code 307 Location: //LEADER/path}. Only
 * such a redirect is followed (a 307 or 308 naming a {@code HOST:PORT}, keeping the scheme: never
 * HTTPS to HTTP), at most {@value #MAX_REDIRECTS} times, with the same method, body and bearer token:
 * the token goes to the leader a master named, and nowhere else (the JDK client's own redirects would
 * also follow a 301/302/303 anywhere, and carry the token along). Thread-safe; used by one command at
 * a time.
 */
final class MarathonClient {
  private static final String NO_ROUTE = "no such endpoint:";
  static final int MAX_REDIRECTS = 3;

  /** One answer: its status and its body. */
  record Answer(int status, JsonNode body) {
    boolean ok() {
      return status / 100 == 2;
    }

    /** Marathon's {@code message}, else the body's text. */
    String message() {
      if (body.hasNonNull("message")) {
        return body.get("message").asText();
      }
      return body.isTextual() ? body.asText().strip() : body.toString();
    }
  }

  private final String hostPort;
  private final String host;
  private final int port;
  private final Duration requestTimeout;
  private final HttpClient http;
  private final io.mezzo.core.auth.Caller caller;

  MarathonClient(String hostPort, Duration requestTimeout) {
    this(hostPort, io.mezzo.core.auth.Caller.NONE, requestTimeout);
  }

  /** A client calling as {@code caller}: its bearer token, and HTTPS when it has a TLS context. */
  MarathonClient(String hostPort, io.mezzo.core.auth.Caller caller, Duration requestTimeout) {
    this.caller = caller;
    int colon = hostPort.lastIndexOf(':');
    this.hostPort = hostPort;
    this.host = hostPort.substring(0, colon);
    this.port = Integer.parseInt(hostPort.substring(colon + 1));
    this.requestTimeout = requestTimeout;
    this.http = caller.configure(HttpClient.newBuilder()).connectTimeout(Duration.ofSeconds(3))
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER) // a standby's 307 is followed by send()
        .build();
  }

  String hostPort() {
    return hostPort;
  }

  /** An app id as Marathon writes it: with one leading '/' and no trailing one. */
  static String appId(String raw) {
    String id = raw.strip();
    while (id.endsWith("/") && id.length() > 1) {
      id = id.substring(0, id.length() - 1);
    }
    return id.startsWith("/") ? id : "/" + id;
  }

  Answer get(String path, String query) throws CliFailure, InterruptedException {
    return send("GET", path, query, null);
  }

  Answer put(String path, String query, JsonNode body) throws CliFailure, InterruptedException {
    return send("PUT", path, query, body);
  }

  Answer patch(String path, String query, JsonNode body) throws CliFailure, InterruptedException {
    return send("PATCH", path, query, body);
  }

  Answer post(String path, String query, JsonNode body) throws CliFailure, InterruptedException {
    return send("POST", path, query, body);
  }

  Answer delete(String path, String query) throws CliFailure, InterruptedException {
    return send("DELETE", path, query, null);
  }

  /**
   * Returns {@code a} when it is a 2xx; otherwise fails with the user's reading of it and what to do
   * next: a 404 about {@code appId} (when not null) is {@code no app /x (see `mezzo app list`)}, a
   * master without the {@code /v2} API says so, a 401 names {@code --token-file} and {@code MEZZO_TOKEN},
   * a 403 gives the master's reason and says to ask an admin for a role that may do it, and any other
   * status is printed with its message.
   */
  Answer check(Answer a, String method, String path, String appId) throws CliFailure {
    if (a.ok()) {
      return a;
    }
    String message = a.message();
    if (isMissingRoute(a)) {
      throw new CliFailure("the master at " + hostPort + " does not serve " + method + " " + path
          + " (expected: a master running the services scheduler's /v2 API)");
    }
    if (a.status() == 404 && appId != null) {
      throw new CliFailure(notFound(appId));
    }
    throw new CliFailure("the master at " + hostPort + " answered " + a.status() + " to " + method + " " + path
        + (message.isEmpty() ? "" : ": " + message)
        + (a.status() == 401 ? " (pass --token-file FILE or set MEZZO_TOKEN; see README \"Security\")" : "")
        + (a.status() == 403 ? "; ask an admin for a role that may " + method + " " + path
            + " (README \"Security\" lists what each role may do)" : ""));
  }

  /** What a 404 about an app says: {@code no app /x (see `mezzo app list`)}. */
  static String notFound(String appId) {
    return "no app " + appId + " (see `mezzo app list`)";
  }

  /** A 404 from the master's HTTP server itself: it has no such endpoint (no services scheduler). */
  static boolean isMissingRoute(Answer a) {
    return a.status() == 404 && a.body().isTextual() && a.body().asText().startsWith(NO_ROUTE);
  }

  private Answer send(String method, String path, String query, JsonNode body)
      throws CliFailure, InterruptedException {
    URI uri;
    try {
      uri = new URI(caller.scheme(), null, host, port, path, query, null);
    } catch (URISyntaxException e) {
      throw new CliFailure(2, "cannot build a request for " + path + ": " + e.getMessage());
    }
    byte[] bytes = body == null ? null : Json.write(body);
    String target = hostPort;
    for (int hop = 0; ; hop++) {
      BodyPublisher publisher = bytes == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(bytes);
      HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(requestTimeout)
          .header("Accept", "application/json").method(method, publisher);
      caller.authorize(request);
      if (bytes != null) {
        request.header("Content-Type", "application/json");
      }
      java.net.http.HttpResponse<String> response;
      try {
        response = http.send(request.build(), BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (java.net.ConnectException e) {
        throw new CliFailure(noMaster(target, e));
      } catch (IOException e) {
        throw new CliFailure("cannot reach master at " + target + ": " + describe(e));
      }
      URI leader = hop < MAX_REDIRECTS ? leaderOf(uri, response) : null;
      if (leader == null) {
        return new Answer(response.statusCode(), parse(response.body()));
      }
      uri = leader;
      target = leader.getAuthority();
    }
  }

  /**
   * Where a standby's answer sends the request: its {@code Location} resolved against {@code from},
   * when the answer is a 307 or 308 naming a {@code HOST:PORT} on the same scheme; else null.
   */
  static URI leaderOf(URI from, java.net.http.HttpResponse<?> response) {
    if (response.statusCode() != 307 && response.statusCode() != 308) {
      return null;
    }
    String location = response.headers().firstValue("Location").orElse(null);
    if (io.mezzo.core.ha.MasterDetector.hostPortOf(location).isEmpty()) {
      return null;
    }
    try {
      URI to = from.resolve(location);
      return from.getScheme().equalsIgnoreCase(to.getScheme()) ? to : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static JsonNode parse(String text) {
    if (text == null || text.isBlank()) {
      return MissingNode.getInstance();
    }
    try {
      return Json.MAPPER.readTree(text);
    } catch (IOException e) {
      return TextNode.valueOf(text);
    }
  }

  /** What a refused connection to the master says, with what to do next. */
  static String noMaster(String hostPort, Exception e) {
    String why = describe(e);
    why = why.substring(why.indexOf(':') + 1).strip();
    return "no master at " + hostPort + " (" + (why.isEmpty() ? "connection refused" : why)
        + "): is `mezzo up` running? (or pass --master HOST:PORT or zk://HOST:PORT/PATH, or set MEZZO_MASTER)";
  }

  /** The innermost cause with a message, as {@code Type: message}: the JDK's outer ones often say nothing. */
  static String describe(Throwable e) {
    Throwable best = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        best = t;
      }
    }
    String message = best.getMessage();
    if ((message == null || message.isBlank()) && best instanceof java.net.ConnectException) {
      message = "connection refused"; // the JDK's HTTP client drops the socket's own words
    }
    return best.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
  }
}
