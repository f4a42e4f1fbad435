package io.mezzo.balancer.proxy;

import io.mezzo.balancer.algorithm.HashKeys;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Sticky sessions for HTTP routes ({@code MEZZO_LB_STICKY_n=true}): the balancer sets the cookie
 * {@value #NAME} on a response, naming the backend that gave it by an opaque token, and sends later
 * requests carrying the cookie to that backend while it serves (not draining, not ejected: otherwise
 * the request is balanced as usual and the cookie set again, for the new backend).
 *
 * <p>The token is a 64-bit hash of the backend's key (instance id, host and port) in hex: it names no
 * address, and every balancer process computes the same token for the same backend, so a client keeps
 * its backend across balancers. {@code Path=/; HttpOnly}; no expiry (a session cookie).
 *
 * <p>Stateless; any thread.
 */
final class StickyCookie {
  static final String NAME = "mezzo_sticky";

  private StickyCookie() {}

  /** The opaque token of {@code b}. */
  static String token(BackendRef b) {
    return Long.toHexString(HashKeys.of("mezzo-sticky:" + b.key));
  }

  /** The {@code Set-Cookie} value that makes a client stick to the backend of {@code token}. */
  static String setCookie(String token) {
    return NAME + "=" + token + "; Path=/; HttpOnly";
  }

  /** The token in the request's {@code Cookie} headers, or null when there is none. */
  static String fromRequest(HttpHeaders headers) {
    for (String header : headers.getAll(HttpHeaderNames.COOKIE)) {
      int from = 0;
      while (from < header.length()) {
        int end = header.indexOf(';', from);
        if (end < 0) {
          end = header.length();
        }
        int start = from;
        while (start < end && header.charAt(start) == ' ') {
          start++;
        }
        if (header.startsWith(NAME, start) && start + NAME.length() < end && header.charAt(start + NAME.length()) == '=') {
          String value = header.substring(start + NAME.length() + 1, end).trim();
          if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
          }
          return value.isEmpty() ? null : value;
        }
        from = end + 1;
      }
    }
    return null;
  }
}
