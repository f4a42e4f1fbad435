package io.mezzo.agent.health;

import io.mezzo.agent.containerizer.ProcessGroups;
import io.mezzo.core.model.CheckInfo;
import io.mezzo.core.model.CheckStatus;
import io.mezzo.core.model.CommandInfo;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Runs one probe against a task and says how it went. HTTP: {@code GET SCHEME://127.0.0.1:PORT/PATH},
 * following redirects and, for https, accepting any certificate (Mesos runs {@code curl -L -k}), a
 * success when the final status is 200..399 (as Mesos); TCP: a connection
 * to {@code 127.0.0.1:PORT} accepted; COMMAND: the command, run like the task ({@code setsid}, in the
 * task's sandbox with the task's environment, as the task's user), exiting 0. Each probe gives up after the spec's
 * timeout; a timed-out command's whole process group is SIGKILLed.
 *
 * <p>Blocking; called on the probe threads, never on the agent loop. Stateless.
 */
final class Probes {
  private Probes() {}

  /**
   * One probe's outcome.
   *
   * @param status the result in the Mesos {@code CheckStatusInfo} shape
   * @param detail what happened, for messages and logs ("HTTP 503 from ...")
   */
  record Result(boolean ok, CheckStatus status, String detail) {}

  static Result run(ProbeSpec spec, Path sandbox, Map<String, String> env) {
    return run(spec, sandbox, env, List.of());
  }

  /** As {@link #run(ProbeSpec, Path, Map)}, a COMMAND probe run through {@code runAs} (the task's user switch). */
  static Result run(ProbeSpec spec, Path sandbox, Map<String, String> env, List<String> runAs) {
    return switch (spec.type()) {
      case HTTP -> http(spec);
      case TCP -> tcp(spec);
      case COMMAND -> command(spec, sandbox, env, runAs);
      default -> throw new IllegalStateException("BUG: probe type " + spec.type() + " passed validation");
    };
  }

  private static Result http(ProbeSpec spec) {
    String url = spec.scheme() + "://127.0.0.1:" + spec.port() + spec.path();
    int timeout = timeoutMillis(spec);
    HttpURLConnection c = null;
    try {
      c = (HttpURLConnection) new URL(url).openConnection();
      if (c instanceof HttpsURLConnection https) {
        https.setSSLSocketFactory(Insecure.CONTEXT.getSocketFactory());
        https.setHostnameVerifier((host, session) -> true);
      }
      c.setInstanceFollowRedirects(true);
      c.setUseCaches(false);
      c.setConnectTimeout(timeout);
      c.setReadTimeout(timeout);
      int code = c.getResponseCode();
      drain(c);
      return new Result(code >= 200 && code < 400, new CheckStatus(CheckInfo.Type.HTTP, null, new CheckStatus.Http(code), null),
          "HTTP " + code + " from " + url);
    } catch (IOException e) {
      return new Result(false, new CheckStatus(CheckInfo.Type.HTTP, null, new CheckStatus.Http(null), null),
          "GET " + url + " failed: " + e);
    } finally {
      if (c != null) {
        c.disconnect();
      }
    }
  }

  private static void drain(HttpURLConnection c) {
    try (InputStream in = c.getResponseCode() >= 400 ? c.getErrorStream() : c.getInputStream()) {
      if (in != null) {
        in.readNBytes(64 * 1024);
      }
    } catch (IOException e) {
      // the status code is what counts
    }
  }

  private static Result tcp(ProbeSpec spec) {
    String where = "127.0.0.1:" + spec.port();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", spec.port()), timeoutMillis(spec));
      return new Result(true, new CheckStatus(CheckInfo.Type.TCP, null, null, new CheckStatus.Tcp(true)),
          "connected to " + where);
    } catch (IOException e) {
      return new Result(false, new CheckStatus(CheckInfo.Type.TCP, null, null, new CheckStatus.Tcp(false)),
          "cannot connect to " + where + ": " + e.getMessage());
    }
  }

  private static Result command(ProbeSpec spec, Path sandbox, Map<String, String> env, List<String> runAs) {
    CommandInfo command = spec.command();
    List<String> argv = new ArrayList<>(List.of("setsid"));
    argv.addAll(runAs);
    if (command.isShell()) {
      argv.addAll(List.of("sh", "-c", command.value()));
    } else {
      argv.add(command.value());
      if (command.arguments() != null && command.arguments().size() > 1) {
        argv.addAll(command.arguments().subList(1, command.arguments().size()));
      }
    }
    ProcessBuilder pb = new ProcessBuilder(argv)
        .directory(sandbox.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().clear();
    pb.environment().putAll(env);
    if (command.environment() != null && command.environment().variables() != null) {
      command.environment().variables().forEach(v -> pb.environment().put(v.name(), v.value() == null ? "" : v.value()));
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return new Result(false, new CheckStatus(CheckInfo.Type.COMMAND, new CheckStatus.Command(null), null, null),
          "cannot run '" + command.value() + "': " + e.getMessage());
    }
    try {
      if (!p.waitFor(timeoutMillis(spec), TimeUnit.MILLISECONDS)) {
        killGroup(p);
        return new Result(false, new CheckStatus(CheckInfo.Type.COMMAND, new CheckStatus.Command(null), null, null),
            "'" + command.value() + "' timed out after " + spec.timeout().toMillis() + " ms");
      }
    } catch (InterruptedException e) {
      killGroup(p);
      Thread.currentThread().interrupt();
      return new Result(false, new CheckStatus(CheckInfo.Type.COMMAND, new CheckStatus.Command(null), null, null),
          "'" + command.value() + "' interrupted");
    }
    int code = p.exitValue();
    ProcessGroups.signal(p.pid(), "KILL"); // nothing the check forked may outlive it
    return new Result(code == 0, new CheckStatus(CheckInfo.Type.COMMAND, new CheckStatus.Command(code), null, null),
        "'" + command.value() + "' exited with status " + code);
  }

  private static void killGroup(Process p) {
    if (!ProcessGroups.signal(p.pid(), "KILL")) {
      p.destroyForcibly();
    }
    try {
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** TLS that accepts any certificate: a task's own endpoint, probed on loopback, as {@code curl -k} does. */
  private static final class Insecure {
    static final SSLContext CONTEXT = create();

    private static SSLContext create() {
      X509TrustManager trustAll = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      };
      try {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trustAll}, null);
        return context;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("BUG: the JDK has no TLS: " + e, e);
      }
    }
  }

  private static int timeoutMillis(ProbeSpec spec) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, spec.timeout().toMillis()));
  }
}
