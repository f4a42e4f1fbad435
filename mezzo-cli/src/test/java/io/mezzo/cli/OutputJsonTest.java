package io.mezzo.cli;

import static io.mezzo.cli.CliRun.mezzo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.json.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --output json} on every command that lists or shows something: each prints one parseable JSON
 * document holding what its table shows, the command tree has no list command without the option, and
 * an unknown format exits 2 naming the formats.
 */
class OutputJsonTest {
  /** Every command that lists or shows: the ones that must take --output. */
  static final Set<String> LISTING = Set.of("mezzo app list", "mezzo app show", "mezzo app autoscale-status", "mezzo tasks",
      "mezzo deployments", "mezzo agents", "mezzo frameworks", "mezzo top", "mezzo doctor", "mezzo simulate",
      "mezzo image ls");

  @TempDir
  Path dir;

  private final FakeMarathon master = ClusterJson.serve(new FakeMarathon());

  @AfterEach
  void stop() {
    master.close();
  }

  private JsonNode json(String... args) throws IOException {
    List<String> argv = new ArrayList<>(List.of(args));
    argv.addAll(List.of("--master", master.address(), "--output", "json"));
    CliRun run = mezzo(argv.toArray(String[]::new));
    assertThat(run.exit()).as(String.join(" ", args) + "\n" + run).isZero();
    assertThat(run.err()).isEmpty();
    return Json.MAPPER.readTree(run.out());
  }

  @Test
  void everyListCommandPrintsParseableJsonWithWhatItsTableShows() throws IOException {
    JsonNode apps = json("app", "list");
    assertThat(apps.isArray()).isTrue();
    assertThat(apps.size()).isEqualTo(2);
    assertThat(apps.get(0).path("id").asText()).isEqualTo("/batch"); // sorted as the table is
    assertThat(apps.get(1).path("id").asText()).isEqualTo("/web");

    assertThat(json("app", "show", "web").path("tasksHealthy").asInt()).isEqualTo(2);
    assertThat(json("tasks").findValuesAsText("appId")).containsExactly("/batch", "/web");
    assertThat(json("tasks", "web").size()).isEqualTo(1);
    assertThat(json("deployments").get(0).path("id").asText()).isEqualTo("d1");
    assertThat(json("app", "autoscale-status", "web").path("status").asText()).isEqualTo("ok");

    JsonNode agents = json("agents");
    assertThat(agents.get(0).path("state").asText()).isEqualTo("active");
    assertThat(agents.get(1).path("state").asText()).isEqualTo("DRAINING");
    assertThat(agents.get(0).path("tasks").asInt()).isEqualTo(3);

    JsonNode frameworks = json("frameworks");
    assertThat(frameworks.get(0).path("name").asText()).isEqualTo("mezzo-services");
    assertThat(frameworks.get(0).path("tasks").asInt()).isEqualTo(3);
    assertThat(frameworks.get(0).has("completed_tasks")).isFalse();

    JsonNode top = json("top", "--lb-stats", master.address());
    assertThat(top.path("cluster").path("agents").asInt()).isEqualTo(2);
    assertThat(top.path("apps").findValuesAsText("id")).containsExactly("/web", "/batch");
    JsonNode web = top.path("apps").get(0);
    assertThat(web.path("rps").asDouble()).isEqualTo(42.5);
    assertThat(web.path("p95_ms").asDouble()).isEqualTo(81.25);
    assertThat(web.path("in_flight").asDouble()).isEqualTo(3.0);
    assertThat(web.path("cpu_used").asDouble()).isEqualTo(0.75);
    assertThat(web.path("mem_used_mb").asDouble()).isEqualTo(150.0);
    assertThat(web.path("autoscale_desired").asInt()).isEqualTo(5);
    assertThat(top.path("apps").get(1).has("rps")).isFalse(); // unknown, not 0
  }

  @Test
  void doctorPrintsItsChecksAsJson() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    CliRun run = mezzo("doctor", "--master", master.address(), "--output", "json", "--task-ports", port + "-" + port,
        "--work-dir", dir.toString());
    JsonNode doc = Json.MAPPER.readTree(run.out());
    assertThat(doc.path("ok").asBoolean()).isEqualTo(run.exit() == 0);
    assertThat(doc.path("checks").findValuesAsText("name"))
        .containsExactly("java", "user", "cgroups", "netns", "runc", "ports", "disk", "master", "clock", "ntp", "zookeeper");
    assertThat(doc.path("checks").findValuesAsText("status")).allMatch(s -> Set.of("OK", "WARN", "FAIL", "SKIP").contains(s));
  }

  @Test
  void noListingCommandLacksTheOutputOption() {
    Set<String> with = new TreeSet<>();
    walk(new CommandLine(new Main()), with);
    assertThat(with).containsExactlyInAnyOrderElementsOf(LISTING);
  }

  private static void walk(CommandLine cl, Set<String> with) {
    if (cl.getCommandSpec().findOption("--output") != null) {
      with.add(cl.getCommandSpec().qualifiedName());
    }
    cl.getSubcommands().values().forEach(sub -> walk(sub, with));
  }

  @Test
  void anUnknownFormatExits2NamingTheFormats() {
    CliRun run = mezzo("agents", "--master", master.address(), "--output", "yaml");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("--output").contains("table, json").contains("yaml");
    assertThat(master.seen()).isEmpty();
  }
}
