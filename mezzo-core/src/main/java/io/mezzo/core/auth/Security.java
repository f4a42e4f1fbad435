package io.mezzo.core.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * How a server checks its callers: the credentials it accepts (null: everyone is trusted), and
 * whether it may run without them on an address other than loopback ({@code --insecure}). A server
 * with no credentials that binds a non-loopback address refuses to start ({@link #checkBind}), so that
 * {@code mezzo up} on loopback needs no set-up while a cluster on a network cannot be left open by
 * forgetting a flag. Immutable.
 *
 * @param credentials the accepted principals, or null to trust every caller
 * @param insecure allow a non-loopback bind without credentials
 * @param tls the server's TLS files, or null for plain HTTP
 */
public record Security(Credentials credentials, boolean insecure, Tls.Server tls) {
  /** No credentials, loopback only: today's behaviour for tests and {@code mezzo up}. */
  public static final Security NONE = new Security(null, false, null);

  /** Without TLS. */
  public Security(Credentials credentials, boolean insecure) {
    this(credentials, insecure, null);
  }

  /** From command-line flags: {@code --credentials FILE} (may be null) and {@code --insecure}. */
  public static Security fromFlags(Path credentialsFile, boolean insecure) {
    return new Security(credentialsFile == null ? null : Credentials.load(credentialsFile), insecure);
  }

  /** This with {@code server} TLS files (null: plain HTTP). */
  public Security withTls(Tls.Server server) {
    return new Security(credentials, insecure, server);
  }

  /**
   * Throws unless this may listen on {@code host}: with credentials, or {@code --insecure}, anything
   * goes; without, only loopback addresses.
   */
  public void checkBind(String host, int port) {
    if (credentials != null || insecure || isLoopback(host)) {
      return;
    }
    throw new IllegalStateException("refusing to listen on " + host + ":" + port + " without credentials "
        + "(pass --credentials FILE, see README \"Security\", or --insecure to accept anyone)");
  }

  /** Whether {@code host} names only loopback addresses ({@code 127.0.0.0/8}, {@code ::1}, localhost). */
  public static boolean isLoopback(String host) {
    try {
      InetAddress[] all = InetAddress.getAllByName(host);
      for (InetAddress a : all) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return all.length > 0;
    } catch (UnknownHostException e) {
      return false;
    }
  }

}
