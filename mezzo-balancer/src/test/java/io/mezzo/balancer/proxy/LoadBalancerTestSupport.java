package io.mezzo.balancer.proxy;

import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Raw HTTP/1.1 exchanges for the proxy tests (the JDK client will not set a Host header of its own). */
final class LoadBalancerTestSupport {
  private LoadBalancerTestSupport() {}

  /** One {@code GET path} with {@code Host: host} and {@code Connection: close}: status line and body. */
  static String[] rawGet(int port, String host, String path) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new String[] {all.substring(0, all.indexOf("\r\n")), all.substring(all.indexOf("\r\n\r\n") + 4)};
    }
  }
}
