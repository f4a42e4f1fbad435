package io.mezzo.core.http;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One aggregated HTTP request as a handler sees it. Header names are lower-case. {@code principal} is
 * who the server authenticated (see {@link io.mezzo.core.auth.Principal}: {@code ANYONE} on a server
 * without credentials); handlers that need finer checks than the route's level use it. Immutable.
 */
public record HttpRequest(
    String method,
    String path,
    Map<String, List<String>> query,
    Map<String, String> headers,
    byte[] body,
    InetSocketAddress remote,
    io.mezzo.core.auth.Principal principal) {

  public HttpRequest {
    java.util.Objects.requireNonNull(principal, "principal");
  }

  public String header(String name) {
    return headers.get(name.toLowerCase(java.util.Locale.ROOT));
  }

  public String queryParam(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
