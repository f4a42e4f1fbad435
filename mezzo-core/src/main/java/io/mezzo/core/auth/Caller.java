package io.mezzo.core.auth;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import javax.net.ssl.SSLContext;

/**
 * How this process calls Mezzo's servers: the bearer token it sends (null: none) and, when the
 * control plane speaks TLS, the context that trusts its CA and, for mutual TLS, presents this
 * process's client certificate (null: plain HTTP). Every client takes one, so that the token, the
 * certificate and the scheme are decided once, by the command's flags. Immutable.
 *
 * @param token the secret sent as {@code Authorization: Bearer}, or null (a client certificate alone
 *     may be enough)
 * @param tls the client TLS context ({@link Tls#trusting}, or {@link Tls#client} with a client
 *     certificate), or null for {@code http://}
 */
public record Caller(String token, SSLContext tls) {
  /** No token, plain HTTP: a cluster without credentials ({@code mezzo up}, tests). */
  public static final Caller NONE = new Caller(null, null);

  /** A caller sending {@code token} over plain HTTP. */
  public static Caller withToken(String token) {
    return new Caller(token, null);
  }

  public String scheme() {
    return tls == null ? "http" : "https";
  }

  /** {@code scheme://hostPort} + {@code pathAndQuery} (which starts with {@code /}, or is empty). */
  public URI uri(String hostPort, String pathAndQuery) {
    return URI.create(scheme() + "://" + hostPort + pathAndQuery);
  }

  /** Sets the TLS context, if any, on a JDK client builder. */
  public HttpClient.Builder configure(HttpClient.Builder b) {
    return tls == null ? b : b.sslContext(tls);
  }

  /** Adds the {@code Authorization} header, if there is a token. */
  public HttpRequest.Builder authorize(HttpRequest.Builder b) {
    return token == null ? b : b.header("Authorization", "Bearer " + token);
  }

  @Override
  public String toString() {
    return "Caller[" + (token == null ? "no token" : "token") + ", " + scheme() + "]";
  }
}
