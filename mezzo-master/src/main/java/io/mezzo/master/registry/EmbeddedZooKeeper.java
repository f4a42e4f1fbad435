package io.mezzo.master.registry;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;

/**
 * A single ZooKeeper server in this JVM, with its data in a directory of its own, for the embedded
 * single-machine default (a master started without {@code --zk}). Production points masters at an
 * ensemble instead.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
  private final ZooKeeperServerEmbedded server;
  private final String connectString;

  private EmbeddedZooKeeper(ZooKeeperServerEmbedded server, String connectString) {
    this.server = server;
    this.connectString = connectString;
  }

  /** Starts a server keeping its data under {@code dir}, on {@code port} (0 picks a free one). */
  public static EmbeddedZooKeeper start(Path dir, int port) {
    try {
      Files.createDirectories(dir);
      int clientPort = port != 0 ? port : freePort();
      Properties props = new Properties();
      props.setProperty("clientPort", Integer.toString(clientPort));
      props.setProperty("clientPortAddress", "127.0.0.1");
      props.setProperty("tickTime", "500");
      props.setProperty("initLimit", "10");
      props.setProperty("syncLimit", "5");
      props.setProperty("admin.enableServer", "false");
      props.setProperty("4lw.commands.whitelist", "ruok,stat");
      ZooKeeperServerEmbedded server = ZooKeeperServerEmbedded.builder()
          .baseDir(dir)
          .configuration(props)
          .exitHandler(ExitHandler.LOG_ONLY)
          .build();
      server.start(30_000);
      return new EmbeddedZooKeeper(server, "127.0.0.1:" + clientPort);
    } catch (Exception e) {
      throw new IllegalStateException("cannot start embedded ZooKeeper in " + dir + ": " + e.getMessage(), e);
    }
  }

  public String connectString() {
    return connectString;
  }

  @Override
  public void close() {
    server.close();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }
}
