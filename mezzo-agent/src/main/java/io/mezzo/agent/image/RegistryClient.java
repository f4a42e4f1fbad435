package io.mezzo.agent.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Docker Registry HTTP API v2 / OCI distribution client on the JDK {@link HttpClient}: manifests by
 * tag or digest (with a size limit), blobs streamed to disk and verified. Auth: anonymous first; on a
 * 401 it answers the challenge, {@code Basic} with the registry's credentials or {@code Bearer} by asking
 * the challenge's realm for a token (cached per registry and scope until it expires). HTTPS unless the
 * registry is listed insecure or is on loopback.
 *
 * <p>Thread-safe: the token cache is a concurrent map and every call is otherwise stateless.
 */
final class RegistryClient {
  static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  private static final String ACCEPT = String.join(", ", OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST);
  private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A manifest or index as the registry sent it. */
  record Fetched(byte[] body, String mediaType, String digest) {}

  private record Token(String value, Instant expires) {}

  private final RegistryOptions options;
  private final Clock clock;
  private final HttpClient http;
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();
  /** Registries that asked for basic auth once: later requests send it straight away. */
  private final java.util.Set<String> basicRegistries = ConcurrentHashMap.newKeySet();

  RegistryClient(RegistryOptions options, Clock clock) {
    this.options = options;
    this.clock = clock;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(options.timeout())
        .followRedirects(HttpClient.Redirect.NEVER); // followed in get(): credentials stay with the registry
    if (options.caCertificates() != null) {
      b.sslContext(io.mezzo.core.auth.Tls.trustingDefaultsAnd("--registry-ca", options.caCertificates()));
    }
    this.http = b.build();
  }

  /** The manifest (or index) {@code ref} names; its digest checked when {@code ref} has one. */
  Fetched manifest(ImageReference ref, String reference) throws ImagePullException, InterruptedException {
    URI uri = uri(ref, "/manifests/" + reference);
    HttpResponse<InputStream> r = send(ref, uri, ACCEPT);
    try (InputStream in = r.body()) {
      if (r.statusCode() == 404) {
        throw new ImagePullException(ImagePullException.Kind.UNKNOWN_IMAGE,
            ref.name() + ":" + reference + ": the registry has no such manifest (" + errorText(in) + ")");
      }
      expectOk(r, in, ref, "manifest " + reference);
      long declared = r.headers().firstValueAsLong("Content-Length").orElse(-1);
      if (declared > options.maxManifestBytes()) {
        throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, ref + ": manifest of " + declared
            + " bytes (expected: <= " + options.maxManifestBytes() + ")");
      }
      byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, options.maxManifestBytes() + 1));
      if (body.length > options.maxManifestBytes()) {
        throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, ref + ": manifest over "
            + options.maxManifestBytes() + " bytes (expected: <= " + options.maxManifestBytes() + ")");
      }
      String digest = Digests.of(body);
      if (reference.startsWith("sha256:") && !digest.equals(reference)) {
        throw new ImagePullException(ImagePullException.Kind.DIGEST_MISMATCH,
            ref.name() + ": manifest hashes to " + digest + " (expected: " + reference + ")");
      }
      String type = r.headers().firstValue("Content-Type").map(t -> t.split(";")[0].trim()).orElse("");
      return new Fetched(body, type, digest);
    } catch (IOException e) {
      throw unreachable(ref, e);
    }
  }

  /** Streams blob {@code digest} of {@code ref}'s repository to {@code target}, verifying it on the way. */
  long blob(ImageReference ref, String digest, Path tmpDir, Path target) throws ImagePullException, InterruptedException {
    URI uri = uri(ref, "/blobs/" + digest);
    HttpResponse<InputStream> r = send(ref, uri, "*/*");
    try (InputStream in = r.body()) {
      if (r.statusCode() == 404) {
        throw new ImagePullException(ImagePullException.Kind.UNKNOWN_IMAGE,
            ref.name() + ": the registry has no blob " + digest + " (" + errorText(in) + ")");
      }
      expectOk(r, in, ref, "blob " + digest);
      return Digests.copyVerified(in, digest, tmpDir, target, ref.name() + " blob " + digest);
    } catch (IOException e) {
      throw unreachable(ref, e);
    }
  }

  private URI uri(ImageReference ref, String path) {
    String host = ref.registry().equals(ImageReference.DOCKER_HUB) ? "registry-1.docker.io" : ref.registry();
    return URI.create(scheme(ref.registry()) + "://" + host + "/v2/" + ref.repository() + path);
  }

  /** {@code http} for registries listed insecure or on loopback, else {@code https}. */
  String scheme(String registry) {
    if (options.insecureRegistries().contains(registry)) {
      return "http";
    }
    String host = registry.startsWith("[") ? registry.substring(1, registry.indexOf(']'))
        : registry.replaceFirst(":\\d+$", "");
    if (host.equals("localhost")) {
      return "http";
    }
    if (host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
      try {
        return InetAddress.getByName(host).isLoopbackAddress() ? "http" : "https";
      } catch (UnknownHostException e) {
        return "https";
      }
    }
    return "https";
  }

  private HttpResponse<InputStream> send(ImageReference ref, URI uri, String accept)
      throws ImagePullException, InterruptedException {
    String scope = "repository:" + ref.repository() + ":pull";
    String auth = cachedAuth(ref.registry(), scope);
    HttpResponse<InputStream> r = get(ref, uri, accept, auth);
    if (r.statusCode() != 401) {
      return r;
    }
    String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
    discard(r);
    auth = answer(ref, challenge, scope);
    r = get(ref, uri, accept, auth);
    if (r.statusCode() == 401 || r.statusCode() == 403) {
      discard(r);
      throw new ImagePullException(ImagePullException.Kind.AUTH_REFUSED, ref.registry() + " refused "
          + (options.credentials().containsKey(ref.registry()) ? "the credentials of " + options.credentials().get(ref.registry()).username()
              : "anonymous access (no credentials for it in --registry-credentials)") + " for " + ref.name());
    }
    return r;
  }

  private String cachedAuth(String registry, String scope) {
    if (basicRegistries.contains(registry)) {
      return answerBasic(registry);
    }
    Token t = tokens.get(registry + " " + scope);
    if (t != null && clock.instant().isBefore(t.expires())) {
      return "Bearer " + t.value();
    }
    return null;
  }

  private String answerBasic(String registry) {
    RegistryOptions.Credentials creds = options.credentials().get(registry);
    return creds == null ? null : "Basic " + Base64.getEncoder()
        .encodeToString((creds.username() + ":" + creds.password()).getBytes(StandardCharsets.UTF_8));
  }

  /** The {@code Authorization} value answering {@code challenge}. */
  private String answer(ImageReference ref, String challenge, String defaultScope)
      throws ImagePullException, InterruptedException {
    String basic = answerBasic(ref.registry());
    if (challenge.regionMatches(true, 0, "Basic", 0, 5)) {
      if (basic == null) {
        throw new ImagePullException(ImagePullException.Kind.AUTH_REFUSED, ref.registry()
            + " asks for basic auth and --registry-credentials has no entry for it");
      }
      basicRegistries.add(ref.registry());
      return basic;
    }
    if (!challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
      throw new ImagePullException(ImagePullException.Kind.AUTH_REFUSED, ref.registry()
          + " answered 401 with challenge '" + challenge + "' (expected: Basic or Bearer realm=...)");
    }
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = PARAM.matcher(challenge);
    while (m.find()) {
      params.put(m.group(1).toLowerCase(), m.group(2));
    }
    String realm = params.get("realm");
    if (realm == null) {
      throw new ImagePullException(ImagePullException.Kind.AUTH_REFUSED, ref.registry()
          + ": bearer challenge without realm: '" + challenge + "'");
    }
    String scope = params.getOrDefault("scope", defaultScope);
    StringBuilder q = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
    if (params.containsKey("service")) {
      q.append("service=").append(URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8)).append('&');
    }
    q.append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(q.toString())).timeout(options.timeout()).GET();
    if (basic != null) {
      b.header("Authorization", basic);
    }
    try {
      HttpResponse<byte[]> tr = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      if (tr.statusCode() != 200) {
        throw new ImagePullException(ImagePullException.Kind.AUTH_REFUSED, "token service " + realm + " answered "
            + tr.statusCode() + " for " + scope);
      }
      JsonNode body = JSON.readTree(tr.body());
      String token = body.path("token").asText(body.path("access_token").asText(""));
      if (token.isEmpty()) {
        throw new ImagePullException(ImagePullException.Kind.AUTH_REFUSED, "token service " + realm
            + " gave no token (expected: {\"token\": ...})");
      }
      long ttl = Math.max(10, body.path("expires_in").asLong(60));
      tokens.put(ref.registry() + " " + defaultScope, new Token(token, clock.instant().plusSeconds(ttl - 5)));
      return "Bearer " + token;
    } catch (IOException e) {
      throw new ImagePullException(ImagePullException.Kind.UNREACHABLE_REGISTRY, "token service " + realm + ": " + e, e);
    }
  }

  /**
   * GET {@code uri}, following up to 5 redirects; the {@code Authorization} header goes only to the
   * registry's own host (blob redirects lead to storage URLs that are signed already and refuse a
   * second credential).
   */
  private HttpResponse<InputStream> get(ImageReference ref, URI uri, String accept, String auth)
      throws ImagePullException, InterruptedException {
    URI at = uri;
    for (int hop = 0; ; hop++) {
      HttpRequest.Builder b = HttpRequest.newBuilder(at).timeout(options.timeout()).header("Accept", accept).GET();
      boolean sameHost = at.getHost().equalsIgnoreCase(uri.getHost()) && at.getPort() == uri.getPort();
      if (auth != null && sameHost) {
        b.header("Authorization", auth);
      }
      HttpResponse<InputStream> r;
      try {
        r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        throw unreachable(ref, e);
      }
      int s = r.statusCode();
      if (s != 301 && s != 302 && s != 303 && s != 307 && s != 308) {
        return r;
      }
      String location = r.headers().firstValue("Location").orElse(null);
      discard(r);
      if (location == null || hop >= 5) {
        throw new ImagePullException(ImagePullException.Kind.UNREACHABLE_REGISTRY, ref.registry() + " answered "
            + s + (location == null ? " without a Location" : " more than 5 times in a row") + " for " + uri.getPath());
      }
      at = at.resolve(location);
    }
  }

  private static ImagePullException unreachable(ImageReference ref, IOException e) {
    String why = e instanceof ConnectException || e instanceof HttpConnectTimeoutException ? "cannot connect"
        : e instanceof HttpTimeoutException ? "timed out"
        : e instanceof javax.net.ssl.SSLException ? "TLS handshake failed (expected: a certificate for this host"
            + " chaining to the JDK's CAs or to --registry-ca; or --insecure-registries for plain HTTP)"
        : "I/O error";
    return new ImagePullException(ImagePullException.Kind.UNREACHABLE_REGISTRY, ref.registry() + ": " + why + " ("
        + e + ")", e);
  }

  private static void expectOk(HttpResponse<InputStream> r, InputStream in, ImageReference ref, String what)
      throws ImagePullException, IOException {
    if (r.statusCode() == 401 || r.statusCode() == 403) {
      throw new ImagePullException(ImagePullException.Kind.AUTH_REFUSED, ref.registry() + " answered "
          + r.statusCode() + " for " + what);
    }
    if (r.statusCode() != 200) {
      throw new ImagePullException(ImagePullException.Kind.UNREACHABLE_REGISTRY, ref.registry() + " answered "
          + r.statusCode() + " for " + what + " (" + errorText(in) + ")");
    }
  }

  private static String errorText(InputStream in) throws IOException {
    String s = new String(in.readNBytes(2048), StandardCharsets.UTF_8).strip();
    return s.isEmpty() ? "no body" : s;
  }

  private static void discard(HttpResponse<InputStream> r) {
    try (InputStream in = r.body()) {
      in.readNBytes(64 * 1024);
    } catch (IOException e) {
      // the next request opens its own connection
    }
  }
}
