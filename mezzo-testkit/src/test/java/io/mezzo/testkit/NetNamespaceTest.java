package io.mezzo.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The namespace behind {@code MezzoCluster.Builder.agentInNetns}, on the real kernel: a process inside
 * reaches the host through the link, a partition drops its packets (a connect times out, it is not
 * refused), a heal lets them through again, and close leaves no namespace behind. Needs root and
 * iproute2; skipped otherwise.
 */
class NetNamespaceTest {
  @BeforeEach
  void needsNamespaces() {
    String why = NetNamespace.unavailableReason();
    assumeTrue(why == null, () -> "network namespaces: " + why);
  }

  @Test
  void partitionDropsTheLinkBothWaysAndHealRestoresIt() throws Exception {
    try (ServerSocket host = new ServerSocket()) {
      host.bind(new InetSocketAddress("0.0.0.0", 0));
      NetNamespace ns = NetNamespace.create();
      try {
        assertThat(connectFromInside(ns, host.getLocalPort())).as("inside to host, linked").isEqualTo("connected");

        ns.partition();
        assertThat(connectFromInside(ns, host.getLocalPort())).as("inside to host, cut").isEqualTo("timed out");
        assertThat(connectFromHost(ns.innerAddress(), 9)).as("host to inside, cut").isEqualTo("timed out");

        ns.heal();
        assertThat(connectFromInside(ns, host.getLocalPort())).as("inside to host, healed").isEqualTo("connected");
        // Nothing listens inside on port 9: refused (an answer), not dropped.
        assertThat(connectFromHost(ns.innerAddress(), 9)).as("host to inside, healed").isEqualTo("refused");
      } finally {
        ns.close();
      }
      assertThat(netnsList()).doesNotContain(ns.name());
    }
  }

  @Test
  void leftoverNamespacesOfDeadOwnersAreRemovedAndLiveOnesKept() throws Exception {
    String dead = "mezzo-999999999-abcdef";
    run("ip", "netns", "add", dead);
    NetNamespace mine = NetNamespace.create();
    try {
      assertThat(NetNamespace.removeLeftovers()).contains(dead).doesNotContain(mine.name());
      assertThat(netnsList()).doesNotContain(dead).contains(mine.name());
    } finally {
      mine.close();
      run("ip", "netns", "del", dead);
    }
  }

  /** "connected" or "timed out" for a TCP connect from inside {@code ns} to the host's end of the link. */
  private static String connectFromInside(NetNamespace ns, int port) throws Exception {
    String rc = run(ns.exec(List.of("timeout", "2", "bash", "-c",
        "exec 3<>/dev/tcp/" + ns.hostAddress() + "/" + port + " && echo connected")).toArray(String[]::new));
    return rc.contains("connected") ? "connected" : "timed out";
  }

  private static String connectFromHost(String address, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 1_500);
      return "connected";
    } catch (java.net.SocketTimeoutException e) {
      return "timed out";
    } catch (IOException e) {
      return e.getMessage().contains("refused") ? "refused" : e.toString();
    }
  }

  private static String netnsList() throws Exception {
    return run("ip", "netns", "list");
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return out;
  }
}
