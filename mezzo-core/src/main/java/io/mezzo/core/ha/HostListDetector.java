package io.mezzo.core.ha;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Finds the leading master among {@code HOST:PORT[,HOST:PORT...]} the way Mesos clients do without
 * ZooKeeper: ask a master for {@code GET /redirect}; the leader and the standbys all answer
 * {@code 307} with the leader in {@code Location} ({@code //HOST:PORT}), a standby that knows no
 * leader yet answers 503, and a server that is not a master (a {@code mezzo services} process, an older
 * master) answers otherwise and is taken as it is. Masters that do not answer are skipped; asking
 * starts from the one that answered last. Thread-safe.
 */
final class HostListDetector implements MasterDetector {
  private static final Pattern HOST_PORT = Pattern.compile("([^:/\\s,\\[\\]]+|\\[[0-9a-fA-F:.]+\\]):\\d{1,5}");
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

  private final List<String> masters;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(PROBE_TIMEOUT)
      .followRedirects(HttpClient.Redirect.NEVER)
      .version(HttpClient.Version.HTTP_1_1)
      .build();
  private final AtomicInteger lastAnswered = new AtomicInteger();

  private HostListDetector(List<String> masters) {
    this.masters = masters;
  }

  static HostListDetector of(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("master: missing (expected: HOST:PORT[,HOST:PORT...])");
    }
    List<String> masters = new ArrayList<>();
    for (String m : spec.split(",")) {
      String s = m.trim();
      if (!HOST_PORT.matcher(s).matches() || Integer.parseInt(s.substring(s.lastIndexOf(':') + 1)) > 65535) {
        throw new IllegalArgumentException("master: '" + s + "' in '" + spec
            + "' (expected: HOST:PORT[,HOST:PORT...] with PORT in 0..65535)");
      }
      masters.add(s);
    }
    return new HostListDetector(List.copyOf(masters));
  }

  @Override
  public Optional<String> only() {
    return masters.size() == 1 ? Optional.of(masters.get(0)) : Optional.empty();
  }

  @Override
  public Optional<String> detect() throws InterruptedException {
    int first = lastAnswered.get();
    for (int i = 0; i < masters.size(); i++) {
      int n = (first + i) % masters.size();
      Optional<String> leader = ask(masters.get(n));
      if (leader.isPresent()) {
        lastAnswered.set(n);
        return leader;
      }
    }
    return Optional.empty();
  }

  private Optional<String> ask(String master) throws InterruptedException {
    try {
      HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://" + master + "/redirect"))
          .timeout(PROBE_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() == 307 || r.statusCode() == 302 || r.statusCode() == 301) {
        return r.headers().firstValue("Location").flatMap(HostListDetector::hostPortOf);
      }
      if (r.statusCode() == 503) {
        return Optional.empty(); // a standby that knows no leader yet
      }
      return Optional.of(master);
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  static Optional<String> hostPortOf(String location) {
    if (location == null) {
      return Optional.empty();
    }
    String rest = location.startsWith("//") ? location.substring(2)
        : location.contains("://") ? location.substring(location.indexOf("://") + 3) : null;
    if (rest == null) {
      return Optional.empty();
    }
    int slash = rest.indexOf('/');
    String hostPort = slash < 0 ? rest : rest.substring(0, slash);
    return HOST_PORT.matcher(hostPort).matches() ? Optional.of(hostPort) : Optional.empty();
  }

  @Override
  public String toString() {
    return masters.toString();
  }
}
