package io.mezzo.balancer.proxy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** A TCP backend for tcp-mode tests: answers each line with {@code name:line}, a thread per connection. */
final class LineServer {
  private LineServer() {}

  /** Listens on a free loopback port; closing the socket stops it. */
  static ServerSocket start(String name) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          Thread t = new Thread(() -> {
            try (s; var in = new BufferedReader(new InputStreamReader(s.getInputStream()));
                var out = new PrintWriter(s.getOutputStream(), true)) {
              for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.println(name + ":" + line);
              }
            } catch (IOException e) {
              // the client went away
            }
          }, "line-" + name);
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }, "line-accept-" + name);
    accept.setDaemon(true);
    accept.start();
    return server;
  }
}
