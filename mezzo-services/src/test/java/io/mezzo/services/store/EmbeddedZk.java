package io.mezzo.services.store;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;

/**
 * One real ZooKeeper server in the test JVM, on a free loopback port, its data in {@code dir}. Tests
 * share one per class and keep apart by using a root path of their own.
 */
final class EmbeddedZk implements AutoCloseable {
  private final ZooKeeperServerEmbedded server;
  private final String connectString;

  private EmbeddedZk(ZooKeeperServerEmbedded server, String connectString) {
    this.server = server;
    this.connectString = connectString;
  }

  static EmbeddedZk start(Path dir) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port for ZooKeeper", e);
    }
    Properties props = new Properties();
    props.setProperty("clientPort", Integer.toString(port));
    props.setProperty("clientPortAddress", "127.0.0.1");
    props.setProperty("tickTime", "500");
    props.setProperty("initLimit", "10");
    props.setProperty("syncLimit", "5");
    props.setProperty("admin.enableServer", "false");
    ZooKeeperServerEmbedded server = ZooKeeperServerEmbedded.builder()
        .baseDir(dir)
        .configuration(props)
        .exitHandler(ExitHandler.LOG_ONLY)
        .build();
    server.start(30_000);
    return new EmbeddedZk(server, "127.0.0.1:" + port);
  }

  String connectString() {
    return connectString;
  }

  @Override
  public void close() {
    server.close();
  }
}
