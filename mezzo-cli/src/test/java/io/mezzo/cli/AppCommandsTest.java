package io.mezzo.cli;

import static io.mezzo.cli.CliRun.mezzo;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The services client commands' failures that need no services scheduler: a bad app file exits 2
 * naming the file before any request, a master that cannot be reached exits 1 saying so and what to do, bad
 * arguments exit 2, and nothing prints a stack trace.
 */
class AppCommandsTest {
  @TempDir
  Path dir;

  private final FakeMarathon master = new FakeMarathon();

  @AfterEach
  void stop() {
    master.close();
  }

  private CliRun deploy(String fileName, String content) throws IOException {
    Path file = dir.resolve(fileName);
    if (content != null) {
      Files.writeString(file, content);
    }
    return mezzo("app", "deploy", file.toString(), "--master", master.address());
  }

  @Test
  void deployOfAMissingFileExits2NamingTheFileWithoutContactingTheMaster() throws IOException {
    CliRun run = deploy("absent.json", null);
    assertThat(run.exit()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("mezzo app deploy: " + dir.resolve("absent.json") + ": no such file\n");
    assertThat(master.seen()).isEmpty();
  }

  @Test
  void deployOfAFileThatIsNotJsonExits2SayingWhere() throws IOException {
    CliRun run = deploy("broken.json", "{\"id\": \"/web\",\n \"cpus\": }");
    assertThat(run.exit()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).startsWith("mezzo app deploy: " + dir.resolve("broken.json") + ": not JSON: ")
        .contains("(line 2, column");
    assertThat(master.seen()).isEmpty();
  }

  @Test
  void deployOfAFileWithoutAStringIdExits2NamingTheField() throws IOException {
    CliRun missing = deploy("noid.json", "{\"cmd\": \"sleep 100\", \"cpus\": 0.1}");
    assertThat(missing.exit()).as(missing.toString()).isEqualTo(2);
    assertThat(missing.err()).isEqualTo("mezzo app deploy: " + dir.resolve("noid.json")
        + ": id: missing (expected: the app's id, such as \"/web\")\n");
    CliRun number = deploy("numid.json", "{\"id\": 7}");
    assertThat(number.exit()).isEqualTo(2);
    assertThat(number.err()).contains("numid.json: id: 7 (expected: the app's id");
    CliRun array = deploy("array.json", "[{\"id\": \"/web\"}]");
    assertThat(array.exit()).isEqualTo(2);
    assertThat(array.err()).contains("array.json: ARRAY (expected: a JSON object, Marathon's app definition)");
    CliRun empty = deploy("empty.json", "");
    assertThat(empty.exit()).isEqualTo(2);
    assertThat(empty.err()).contains("empty.json: empty (expected: a JSON object");
    assertThat(master.seen()).isEmpty();
  }

  @Test
  void everyCommandSaysNoMasterAnswersOnAClosedPortAndHowToStartOneAndExits1() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Path app = dir.resolve("web.json");
    Files.writeString(app, "{\"id\": \"web\", \"cmd\": \"sleep 100\"}");
    String at = "127.0.0.1:" + closed;
    for (List<String> args : List.of(List.of("app", "deploy", app.toString()), List.of("app", "list"),
        List.of("app", "show", "web"), List.of("app", "scale", "web", "3"), List.of("app", "restart", "web"),
        List.of("app", "remove", "web"), List.of("tasks"), List.of("tasks", "web"), List.of("deployments"))) {
      List<String> argv = new ArrayList<>(args);
      argv.addAll(List.of("--master", at));
      CliRun run = mezzo(argv.toArray(String[]::new));
      assertThat(run.exit()).as(String.join(" ", args) + "\n" + run).isEqualTo(1);
      assertThat(run.err()).as(String.join(" ", args))
          .startsWith("mezzo " + String.join(" ", args.subList(0, args.get(0).equals("app") ? 2 : 1))
              + ": no master at " + at + " (connection refused): is `mezzo up` running? (or pass --master HOST:PORT"
              + " or zk://HOST:PORT/PATH, or set MEZZO_MASTER)")
          .hasLineCount(1);
      assertThat(run.out()).isEmpty();
    }
  }

  @Test
  void withoutMasterTheCommandsUseMezzoMasterFromTheEnvironment() throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "deployments").redirectErrorStream(true);
    pb.environment().put("MEZZO_MASTER", master.address());
    master.on("GET", "/v2/deployments", 200, "[]");
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(output).isZero();
    assertThat(output).isEqualTo("ID  APPS  ACTION  STEP\n");
    assertThat(master.seen()).extracting(FakeMarathon.Seen::path).containsExactly("/v2/deployments");
  }

  @Test
  void aMasterThatIsNotHostAndPortExits2NamingTheFlag() {
    CliRun run = mezzo("app", "list", "--master", "http://127.0.0.1:5050");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("mezzo app list: --master: 'http://127.0.0.1:5050' (expected: HOST:PORT[,HOST:PORT...] or zk://HOST:PORT[,...]/PATH)\n");
  }

  @Test
  void scalingToANegativeCountExits2WithoutContactingTheMaster() {
    CliRun run = mezzo("app", "scale", "web", "--master", master.address(), "--", "-1");
    assertThat(run.exit()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("mezzo app scale: N: -1 (expected: >= 0)\n");
    assertThat(master.seen()).isEmpty();
  }

  @Test
  void appWithoutASubcommandOrWithBadFlagsExits2WithUsage() {
    CliRun bare = mezzo("app");
    assertThat(bare.exit()).isEqualTo(2);
    assertThat(bare.err()).contains("Missing required subcommand").contains("deploy").contains("remove");
    CliRun badTimeout = mezzo("app", "deploy", "x.json", "--wait", "--timeout", "soon");
    assertThat(badTimeout.exit()).isEqualTo(2);
    assertThat(badTimeout.err()).contains("'soon' (expected: a duration such as 500ms");
  }
}
