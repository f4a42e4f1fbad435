package io.mezzo.core.http;

import java.util.concurrent.CompletionStage;

/**
 * Handles one request. Runs on a Netty event loop: it must not block; work owned by another thread
 * is handed over and answered through the returned stage.
 */
@FunctionalInterface
public interface HttpHandler {
  CompletionStage<HttpResponse> handle(HttpRequest request) throws Exception;
}
