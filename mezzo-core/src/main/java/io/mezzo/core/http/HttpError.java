package io.mezzo.core.http;

/**
 * Thrown by handlers to answer with a 4xx or 5xx status and a message that says what was wrong and
 * what was expected. {@link IllegalArgumentException}s thrown by handlers become 400s as well.
 */
public final class HttpError extends RuntimeException {
  private final int status;

  public HttpError(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }

  public static HttpError badRequest(String message) {
    return new HttpError(400, message);
  }

  public static HttpError notFound(String message) {
    return new HttpError(404, message);
  }
}
