package io.mezzo.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A WebSocket client for tests of echo endpoints (the sample server's {@code /ws}, directly or
 * through the load balancer), on the JDK's {@link WebSocket}: {@link #text} and {@link #binary} send
 * one message and return the next whole message received (fragments joined). One exchange at a time;
 * the JDK's threads deliver messages into a queue that the caller's thread reads.
 */
public final class WebSocketEchoClient implements AutoCloseable {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final WebSocket socket;
  private final BlockingQueue<Object> received;

  private WebSocketEchoClient(WebSocket socket, BlockingQueue<Object> received) {
    this.socket = socket;
    this.received = received;
  }

  /** Opens a WebSocket to {@code uri} ({@code ws://host:port/path}); fails when the handshake does. */
  public static WebSocketEchoClient connect(URI uri) {
    BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    try {
      WebSocket ws = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().newWebSocketBuilder()
          .buildAsync(uri, new Collector(received)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      return new WebSocketEchoClient(ws, received);
    } catch (ExecutionException e) {
      throw new IllegalStateException("WebSocket handshake with " + uri + " failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new IllegalStateException("WebSocket handshake with " + uri + ": " + e, e);
    }
  }

  /** Sends {@code message} as a text message and returns the next text message received. */
  public String text(String message) {
    socket.sendText(message, true).join();
    return (String) next(String.class);
  }

  /** Sends {@code message} as a binary message and returns the next binary message received. */
  public byte[] binary(byte[] message) {
    socket.sendBinary(ByteBuffer.wrap(message), true).join();
    return (byte[]) next(byte[].class);
  }

  private Object next(Class<?> expected) {
    try {
      Object m = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      if (m == null) {
        throw new IllegalStateException("no WebSocket message within " + WAIT.toSeconds() + " s");
      }
      if (m instanceof Throwable t) {
        throw new IllegalStateException("the WebSocket failed: " + t, t);
      }
      if (!expected.isInstance(m)) {
        throw new IllegalStateException("WebSocket message: " + m + " (expected: a " + expected.getSimpleName() + ")");
      }
      return m;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Closes normally (1000) and waits for the peer's close, or aborts after a while. */
  @Override
  public void close() {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // closing what is broken: abort below
    }
    socket.abort();
  }

  /** Joins fragments into whole messages; texts as strings, binaries as byte arrays, failures as throwables. */
  private static final class Collector implements WebSocket.Listener {
    private final BlockingQueue<Object> out;
    private final StringBuilder text = new StringBuilder();
    private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

    Collector(BlockingQueue<Object> out) {
      this.out = out;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        out.add(text.toString());
        text.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] chunk = new byte[data.remaining()];
      data.get(chunk);
      bytes.writeBytes(chunk);
      if (last) {
        out.add(bytes.toByteArray());
        bytes.reset();
      }
      ws.request(1);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      out.add(error);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      out.add(new IllegalStateException("closed by the peer: " + statusCode + " " + reason));
      return null;
    }
  }
}
