package io.mezzo.cli;

import static io.mezzo.cli.CliRun.mezzo;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client commands' failures say what to do next, exit non-zero and print no stack trace: no master
 * on the port (start one or pass --master), a 401 (pass --token-file or set MEZZO_TOKEN), a 403 (the
 * master's reason, and ask an admin for a role that may), an unknown app (see the app list), and an
 * unknown subcommand (picocli's suggestion, or the usage listing the subcommands).
 */
class HelpfulErrorsTest {
  private final FakeMarathon master = new FakeMarathon();

  @AfterEach
  void stop() {
    master.close();
  }

  private static void assertOneLineWithoutStackTrace(CliRun run) {
    assertThat(run.err()).hasLineCount(1).doesNotContain("\tat ").doesNotContain("Exception:");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void noMasterOnThePortSaysToStartOneOrPassMaster() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    for (String command : new String[] {"agents", "frameworks", "top"}) {
      CliRun run = mezzo(command, "--master", "127.0.0.1:" + closed);
      assertThat(run.exit()).as(run.toString()).isEqualTo(1);
      assertThat(run.err()).isEqualTo("mezzo " + command + ": no master at 127.0.0.1:" + closed + " (connection refused): "
          + "is `mezzo up` running? (or pass --master HOST:PORT or zk://HOST:PORT/PATH, or set MEZZO_MASTER)\n");
      assertOneLineWithoutStackTrace(run);
    }
  }

  @Test
  void unauthorizedSaysToPassATokenFileOrSetMezzoToken() {
    master.on("GET", "/master/state", 401, "\"missing bearer token for GET /master/state\"");
    CliRun run = mezzo("agents", "--master", master.address());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).startsWith("mezzo agents: the master at " + master.address() + " answered 401 to GET /master/state")
        .contains("missing bearer token").endsWith("(pass --token-file FILE or set MEZZO_TOKEN; see README \"Security\")\n");
    assertOneLineWithoutStackTrace(run);
  }

  @Test
  void forbiddenGivesTheMastersReasonAndSaysToAskAnAdmin() {
    master.on("PATCH", "/v2/apps/web", 403,
        "\"principal 'bob' (role viewer) may not PATCH /v2/apps/web (expected: role operator)\"");
    CliRun run = mezzo("app", "scale", "web", "2", "--master", master.address());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("mezzo app scale: the master at " + master.address() + " answered 403 to PATCH /v2/apps/web: "
        + "principal 'bob' (role viewer) may not PATCH /v2/apps/web (expected: role operator); ask an admin for a role "
        + "that may PATCH /v2/apps/web (README \"Security\" lists what each role may do)\n");
    assertOneLineWithoutStackTrace(run);
  }

  @Test
  void anUnknownAppSaysWhereToFindTheApps() {
    master.on("GET", "/v2/apps/nope", 404, "{\"message\": \"App '/nope' does not exist\"}");
    CliRun run = mezzo("app", "show", "nope", "--master", master.address());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("mezzo app show: no app /nope (see `mezzo app list`)\n");
  }

  @Test
  void anUnknownSubcommandSuggestsTheNearestOne() {
    CliRun top = mezzo("ap", "list");
    assertThat(top.exit()).isEqualTo(2);
    assertThat(top.err()).contains("Unmatched arguments from index 0: 'ap', 'list'").contains("Did you mean: mezzo app?")
        .doesNotContain("\tat ");
    CliRun sub = mezzo("app", "lsit");
    assertThat(sub.exit()).isEqualTo(2);
    assertThat(sub.err()).contains("Unmatched argument at index 1: 'lsit'").contains("Commands:")
        .contains("  list  "); // no near name: the usage lists them
  }
}
