package io.mezzo.cli;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.balancer.Balancer;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.V2Client;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the cluster tests of the load balancer share: sample-server apps with routing labels, their
 * instances as the services API lists them, and plain HTTP/1.1 over a raw socket (to set {@code Host},
 * to pick the client's source address, or to talk to a TCP listener), and a cluster whose autoscaler reads an
 * in-process load balancer ({@link AutoscaledCluster}). Stateless; any thread.
 */
final class LbClusterSupport {
  private LbClusterSupport() {}

  /** One running instance of an app: its task id (what {@code GET /} answers with) and address. */
  record Instance(String id, String host, int port) {
    String url(String pathAndQuery) {
      return "http://" + host + ":" + port + pathAndQuery;
    }
  }

  /** The status and body of one raw exchange. */
  record Answer(int status, String body) {
    /** The instance named in a sample server's body ({@code hello from X}, {@code failing with S from X}). */
    String instance() {
      String b = body.trim();
      int from = b.lastIndexOf(" from ");
      return from < 0 ? b : b.substring(from + " from ".length());
    }
  }

  /**
   * {@link ServicesClusterTest#sampleApp} with {@code labels} (the load balancer's among them) and
   * {@code extra} JSON fields appended (each starting with a comma).
   */
  static String sampleApp(String id, int instances, Map<String, String> labels, String extra) {
    String app = ServicesClusterTest.sampleApp(id, instances, extra);
    String replaced = app.replace("\"labels\":{\"mezzo.drain.seconds\":\"1\"}", labelsJson(labels));
    if (replaced.equals(app)) {
      throw new IllegalStateException("BUG: ServicesClusterTest.sampleApp has no labels to replace: " + app);
    }
    return replaced;
  }

  /** {@code "labels":{...}} with {@code labels} (plain values: nothing is escaped). */
  static String labelsJson(Map<String, String> labels) {
    return labels.entrySet().stream()
        .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
        .collect(Collectors.joining(",", "\"labels\":{", "}"));
  }

  /**
   * A cluster whose master runs the autoscaler on the {@code /stats} of an in-process load balancer
   * in front of it (agents with 2 cpus and 2 GiB each), once the services scheduler has subscribed.
   */
  record AutoscaledCluster(MezzoCluster cluster, Balancer balancer, V2Client v2) {
    static AutoscaledCluster start(Path dir, Duration wait) {
      int admin = MezzoCluster.freeLoopbackPort();
      MezzoCluster cluster = MezzoCluster.builder(dir).agentResources("cpus:2;mem:2048;disk:1024")
          .masterOption("--lb-stats", "127.0.0.1:" + admin).start();
      try {
        V2Client v2 = new V2Client(cluster.masterAddress());
        await().atMost(wait).until(() -> v2.get("/v2/info").json().path("frameworkId").isTextual());
        Balancer balancer = Balancer.start(cluster.masterAddress(), "127.0.0.1", MezzoCluster.freeLoopbackPort(),
            null, admin);
        return new AutoscaledCluster(cluster, balancer, v2);
      } catch (RuntimeException | Error e) {
        cluster.close();
        throw e;
      }
    }
  }

  /** The app's instances as {@code /v2/apps/<id>/tasks} lists them. */
  static List<Instance> instances(V2Client v2, String appId) {
    List<Instance> out = new ArrayList<>();
    for (JsonNode t : v2.get("/v2/apps" + appId + "/tasks").json().path("tasks")) {
      out.add(new Instance(t.path("id").asText(), t.path("host").asText(), t.path("ports").path(0).asInt()));
    }
    return out;
  }

  static int healthy(V2Client v2, String appId) {
    return v2.get("/v2/apps" + appId).json().path("app").path("tasksHealthy").asInt();
  }

  /** Whether no deployment of {@code appId} is in progress (others may be). */
  static boolean deployed(V2Client v2, String appId) {
    for (JsonNode d : v2.get("/v2/deployments").json()) {
      for (JsonNode affected : d.path("affectedApps")) {
        if (affected.asText().equals(appId)) {
          return false;
        }
      }
    }
    return true;
  }

  /** {@code GET path} with {@code Host: host} on a new connection to 127.0.0.1:{@code port}, then closed. */
  static Answer get(int port, String host, String path) {
    return get(null, port, host, path);
  }

  /**
   * As {@link #get(int, String, String)}, from the loopback source address {@code from} (any of
   * 127.0.0.0/8; null: the system's choice), which is the key of client-address hashing.
   */
  static Answer get(String from, int port, String host, String path) {
    try (Socket s = new Socket()) {
      if (from != null) {
        s.bind(new InetSocketAddress(from, 0));
      }
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(30_000);
      return exchange(s, host, path, false);
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + path + " via :" + port + (from == null ? "" : " from " + from), e);
    }
  }

  /**
   * Sends {@code GET path} on {@code s} and reads the answer: its body by {@code Content-Length}
   * when {@code keepAlive}, else ({@code Connection: close}) up to the end of the stream.
   */
  static Answer exchange(Socket s, String host, String path, boolean keepAlive) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + (keepAlive ? "" : "Connection: close\r\n")
        + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    String head = readHead(in);
    String[] lines = head.split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    int length = -1;
    for (String line : lines) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    byte[] body = length >= 0 ? in.readNBytes(length) : in.readAllBytes();
    if (length >= 0 && body.length < length) {
      throw new IOException("body cut at " + body.length + " of " + length + " bytes after: " + head);
    }
    return new Answer(status, new String(body, StandardCharsets.UTF_8));
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed in the response head: '" + head + "'");
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }
}
