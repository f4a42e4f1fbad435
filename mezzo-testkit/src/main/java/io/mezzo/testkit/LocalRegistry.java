package io.mezzo.testkit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Docker registry for tests: Debian's {@code /usr/bin/docker-registry serve CONFIG} on a free
 * loopback port, storing into a directory of its own, either open or with basic auth (an htpasswd file
 * made with {@code htpasswd -B}, from apache2-utils). It can push blobs and manifests through the
 * registry API ({@link #pushBlob}, {@link #putManifest}), count the blob downloads it served (from its
 * access log, {@link #blobGets()}), and reach into its storage to tamper with a blob ({@link #blobData}).
 *
 * <p>One process per instance; {@link #close()} stops it. Thread-safe for reads of the log.
 */
public final class LocalRegistry implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/docker-registry");
  private static final Pattern BLOB_GET = Pattern.compile("\"GET /v2/[^ \"]+/blobs/sha256:[0-9a-f]{64} ");

  private final Path dir;
  private final Path storage;
  private final Path log;
  private final int port;
  private final String basicAuth;
  private final Process process;
  private final String host;
  private final String scheme;
  private final HttpClient http;

  private LocalRegistry(Path dir, Path storage, Path log, String host, int port, String basicAuth, Process process,
      javax.net.ssl.SSLContext tls) {
    this.host = host;
    this.scheme = tls == null ? "http" : "https";
    this.http = tls == null ? HttpClient.newHttpClient() : HttpClient.newBuilder().sslContext(tls).build();
    this.dir = dir;
    this.storage = storage;
    this.log = log;
    this.port = port;
    this.basicAuth = basicAuth;
    this.process = process;
  }

  /** An open registry (no auth) with its files under {@code dir}. */
  public static LocalRegistry start(Path dir) throws IOException {
    return start(dir, null, null);
  }

  /** A registry asking for basic auth as {@code user}/{@code password} (or open when {@code user} is null). */
  public static LocalRegistry start(Path dir, String user, String password) throws IOException {
    return start(dir, user, password, "127.0.0.1", null);
  }

  /**
   * The first IPv4 address of an interface of this machine that is up and neither loopback nor
   * link-local: where {@link #startTls} can serve so that clients use HTTPS.
   */
  public static java.util.Optional<String> siteAddress() throws java.net.SocketException {
    for (java.net.NetworkInterface nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
        if (a instanceof java.net.Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return java.util.Optional.of(a.getHostAddress());
        }
      }
    }
    return java.util.Optional.empty();
  }

  /**
   * An open registry serving HTTPS on {@code address} (a non-loopback address of this machine, since
   * clients speak plain HTTP to loopback registries) with a certificate for it issued by {@code pki}.
   */
  public static LocalRegistry startTls(Path dir, String address, TestPki pki) throws IOException {
    return start(dir, null, null, address, pki);
  }

  private static LocalRegistry start(Path dir, String user, String password, String address, TestPki pki)
      throws IOException {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(BINARY + " is missing (expected: apt-get install docker-registry)");
    }
    Files.createDirectories(dir);
    Path storage = dir.resolve("storage");
    Files.createDirectories(storage);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(address))) {
      port = s.getLocalPort();
    }
    StringBuilder config = new StringBuilder()
        .append("version: 0.1\n")
        .append("log:\n  level: info\n  accesslog:\n    disabled: false\n")
        .append("storage:\n  filesystem:\n    rootdirectory: ").append(storage).append('\n')
        .append("  delete:\n    enabled: true\n")
        .append("http:\n  addr: ").append(address).append(':').append(port).append("\n  secret: mezzo-test-")
        .append(UUID.randomUUID()).append('\n');
    javax.net.ssl.SSLContext tls = null;
    if (pki != null) {
      TestPki.Identity id = pki.server("registry-" + port, List.of(address));
      config.append("  tls:\n    certificate: ").append(id.certificate()).append("\n    key: ").append(id.key()).append('\n');
      tls = io.mezzo.core.auth.Tls.trusting(pki.caPem());
    }
    String basic = null;
    if (user != null) {
      Path htpasswd = dir.resolve("htpasswd");
      Files.writeString(htpasswd, htpasswd(user, password));
      config.append("auth:\n  htpasswd:\n    realm: mezzo-test\n    path: ").append(htpasswd).append('\n');
      basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
    Path configFile = dir.resolve("config.yml");
    Files.writeString(configFile, config);
    Path log = dir.resolve("registry.log");
    Process p = new ProcessBuilder(BINARY.toString(), "serve", configFile.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    LocalRegistry r = new LocalRegistry(dir, storage, log, address, port, basic, p, tls);
    try {
      await("docker-registry on " + address + ":" + port + " (log: " + log + ")").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!p.isAlive()) {
              throw new IllegalStateException("docker-registry exited " + p.exitValue() + ": " + Files.readString(log));
            }
            return r.get("/v2/") > 0;
          });
    } catch (RuntimeException e) {
      r.close();
      throw e;
    }
    return r;
  }

  private static String htpasswd(String user, String password) throws IOException {
    try {
      Process p = new ProcessBuilder("htpasswd", "-Bbn", user, password).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IOException("htpasswd -Bbn: " + out);
      }
      return out.strip() + "\n";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** {@code ADDRESS:PORT} ({@code 127.0.0.1:PORT} unless started with TLS): the registry part of image names pushed here. */
  public String hostPort() {
    return host + ":" + port;
  }

  public Path storage() {
    return storage;
  }

  /** Where the registry keeps blob {@code digest}'s bytes (overwrite it to tamper with the blob). */
  public Path blobData(String digest) {
    String hex = digest.substring("sha256:".length());
    return storage.resolve("docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex).resolve("data");
  }

  /**
   * How many blob GETs the registry has logged. It first makes a marker request and waits for it in
   * the log, so every request answered before this call is counted.
   */
  public long blobGets() throws IOException {
    String marker = "marker-" + UUID.randomUUID().toString().replace("-", "");
    get("/v2/" + marker + "/tags/list");
    await("the registry's log shows " + marker).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .until(() -> Files.readString(log).contains(marker));
    Matcher m = BLOB_GET.matcher(Files.readString(log));
    long n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  /** Uploads {@code bytes} as a blob of {@code repository} (POST then PUT ?digest=); returns its digest. */
  public String pushBlob(String repository, byte[] bytes) throws IOException {
    String digest = TestImages.sha256(bytes);
    HttpResponse<String> start = send(HttpRequest.newBuilder(uri("/v2/" + repository + "/blobs/uploads/"))
        .POST(HttpRequest.BodyPublishers.noBody()));
    if (start.statusCode() != 202) {
      throw new IOException("POST blob upload to " + repository + ": " + start.statusCode() + " " + start.body());
    }
    String location = start.headers().firstValue("Location").orElseThrow();
    URI put = URI.create(location.startsWith("http") ? location : scheme + "://" + hostPort() + location);
    put = URI.create(put + (put.getQuery() == null ? "?" : "&") + "digest=" + digest);
    HttpResponse<String> done = send(HttpRequest.newBuilder(put).header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)));
    if (done.statusCode() != 201) {
      throw new IOException("PUT blob " + digest + " to " + repository + ": " + done.statusCode() + " " + done.body());
    }
    return digest;
  }

  /** PUTs a manifest (or index) under {@code reference} (a tag or digest); returns its digest. */
  public String putManifest(String repository, String reference, String mediaType, byte[] body) throws IOException {
    HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/v2/" + repository + "/manifests/" + reference))
        .header("Content-Type", mediaType).PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    if (r.statusCode() != 201) {
      throw new IOException("PUT manifest " + repository + ":" + reference + ": " + r.statusCode() + " " + r.body());
    }
    return TestImages.sha256(body);
  }

  /** The status of {@code GET path} (with this registry's credentials), or 0 when nothing listens. */
  public int get(String path) throws IOException {
    try {
      return send(HttpRequest.newBuilder(uri(path)).GET()).statusCode();
    } catch (ConnectException e) {
      return 0;
    }
  }

  private URI uri(String path) {
    return URI.create(scheme + "://" + hostPort() + path);
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws IOException {
    if (basicAuth != null) {
      b.header("Authorization", basicAuth);
    }
    try {
      return http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** The arguments that give skopeo this registry's credentials ({@code --src-creds}), if any. */
  public List<String> skopeoSourceArgs(String user, String password) {
    return user == null ? List.of("--src-tls-verify=false") : List.of("--src-tls-verify=false", "--src-creds", user + ":" + password);
  }

  public Path dir() {
    return dir;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
