package io.mezzo.cli;

import static io.mezzo.cli.CliRun.mezzo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mezzo.agent.image.ImageStore;
import io.mezzo.agent.image.RegistryOptions;
import io.mezzo.testkit.LocalRegistry;
import io.mezzo.testkit.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mezzo image pull|import|ls|rm} on an agent work dir, against a real docker-registry. */
class ImageCommandTest {
  @TempDir
  Path dir;

  @Test
  void pullListAndRemoveActOnTheAgentsStore() throws Exception {
    String workDir = dir.resolve("agent").toString();
    try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"))) {
      TestImages.Pushed p = TestImages.pushBusybox(registry, "cli/busybox", "1");
      CliRun pull = mezzo("image", "pull", "--work-dir", workDir, p.reference());
      assertThat(pull.exit()).as(pull.toString()).isZero();
      assertThat(pull.out()).startsWith("pulled " + p.reference() + "@" + p.manifestDigest() + " in ");
      assertThat(Path.of(workDir, "images/images", p.manifestDigest().substring(7), "rootfs/bin/busybox")).isRegularFile();

      CliRun ls = mezzo("image", "ls", "--work-dir", workDir);
      assertThat(ls.out()).contains("DIGEST").contains(p.manifestDigest().substring(0, 19)).contains(p.reference());
      JsonNode json = new ObjectMapper().readTree(mezzo("image", "ls", "--work-dir", workDir, "-o", "json").out());
      assertThat(json.get(0).path("digest").asText()).isEqualTo(p.manifestDigest());
      assertThat(json.get(0).path("size_bytes").asLong()).isPositive();

      CliRun gcWithoutThreshold = mezzo("image", "gc", "--work-dir", workDir);
      assertThat(gcWithoutThreshold.exit()).isEqualTo(2);
      assertThat(gcWithoutThreshold.err()).contains("--image-gc-max-bytes, --image-gc-max-age: missing");
      CliRun gcUnder = mezzo("image", "gc", "--work-dir", workDir, "--image-gc-max-bytes", "1000000000");
      assertThat(gcUnder.out()).contains("0 image(s)");

      CliRun rm = mezzo("image", "rm", "--work-dir", workDir, p.reference());
      assertThat(rm.exit()).as(rm.toString()).isZero();
      assertThat(new ObjectMapper().readTree(mezzo("image", "ls", "--work-dir", workDir, "-o", "json").out())).isEmpty();
      CliRun again = mezzo("image", "rm", "--work-dir", workDir, p.reference());
      assertThat(again.exit()).isEqualTo(1);
      assertThat(again.err()).contains("image: '" + p.reference() + "'").contains("mezzo image ls");
    }
  }

  @Test
  void pullOverHttpsTrustsThePrivateCaGivenWithRegistryCa() throws Exception {
    java.util.Optional<String> address = LocalRegistry.siteAddress();
    org.junit.jupiter.api.Assumptions.assumeTrue(address.isPresent(), "no non-loopback IPv4 address");
    io.mezzo.testkit.TestPki pki = io.mezzo.testkit.TestPki.create(dir.resolve("pki"), "registry-ca");
    String workDir = dir.resolve("agent").toString();
    try (LocalRegistry registry = LocalRegistry.startTls(dir.resolve("registry"), address.get(), pki)) {
      TestImages.Pushed p = TestImages.pushBusybox(registry, "tls/busybox", "1");

      CliRun refused = mezzo("image", "pull", "--work-dir", workDir, "--registry-timeout", "10s", p.reference());
      assertThat(refused.exit()).isEqualTo(1);
      assertThat(refused.err()).contains("TLS handshake failed").contains("--registry-ca");

      CliRun pulled = mezzo("image", "pull", "--work-dir", workDir, "--registry-ca", pki.caPem().toString(), p.reference());
      assertThat(pulled.exit()).as(pulled.toString()).isZero();
      assertThat(pulled.out()).startsWith("pulled " + p.reference() + "@" + p.manifestDigest());
    }
    Path notPem = java.nio.file.Files.writeString(dir.resolve("not.pem"), "hello\n");
    CliRun bad = mezzo("image", "ls", "--work-dir", workDir, "--registry-ca", notPem.toString());
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--registry-ca: " + notPem);
  }

  @Test
  void lsAsksARunningAgentWhoseStoreItHolds() throws Exception {
    Path workDir = dir.resolve("agent");
    String ref;
    try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"))) {
      ref = TestImages.pushBusybox(registry, "running/busybox", "1").reference();
      assertThat(mezzo("image", "pull", "--work-dir", workDir.toString(), ref).exit()).isZero();
    }
    try (io.mezzo.agent.Agent agent = io.mezzo.agent.Agent.start(
        io.mezzo.agent.AgentConfig.defaults("127.0.0.1:1", workDir).withPort(0))) {
      CliRun locked = mezzo("image", "ls", "--work-dir", workDir.toString());
      assertThat(locked.exit()).isEqualTo(1);
      assertThat(locked.err()).contains("mezzo image ls --agent HOST:PORT");

      CliRun ls = mezzo("image", "ls", "--agent", "127.0.0.1:" + agent.port());
      assertThat(ls.exit()).as(ls.toString()).isZero();
      assertThat(ls.out()).contains("TASKS").contains(ref);
      JsonNode json = new ObjectMapper().readTree(mezzo("image", "ls", "--agent", "127.0.0.1:" + agent.port(), "-o", "json").out());
      assertThat(json.get(0).path("references").toString()).contains(ref);
      assertThat(json.get(0).path("tasks").isArray()).isTrue();
    }
    CliRun malformed = mezzo("image", "ls", "--agent", "no-port");
    assertThat(malformed.exit()).isEqualTo(2);
    assertThat(malformed.err()).contains("--agent: 'no-port' (expected: HOST:PORT");
    CliRun gone = mezzo("image", "ls", "--agent", "127.0.0.1:1");
    assertThat(gone.exit()).isEqualTo(1);
    assertThat(gone.err()).contains("cannot reach the agent at 127.0.0.1:1");
  }

  @Test
  void gcRemovesImagesPastTheSizeThreshold() throws Exception {
    String workDir = dir.resolve("agent").toString();
    try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"))) {
      TestImages.Pushed p = TestImages.pushBusybox(registry, "cli/busybox", "1");
      assertThat(mezzo("image", "pull", "--work-dir", workDir, p.reference()).exit()).isZero();
    }
    CliRun gc = mezzo("image", "gc", "--work-dir", workDir, "--image-gc-max-bytes", "0");
    assertThat(gc.exit()).as(gc.toString()).isZero();
    assertThat(gc.out()).contains("removed " + "sha256:").contains("1 image(s), 1 layer(s)");
    assertThat(mezzo("image", "ls", "--work-dir", workDir).out()).doesNotContain("cli/busybox");
  }

  @Test
  void importLoadsADockerSaveArchiveWithoutARegistry() throws Exception {
    Path archive = dir.resolve("busybox.tar");
    try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"))) {
      TestImages.Pushed p = TestImages.pushBusybox(registry, "cli/busybox", "1");
      Process skopeo = new ProcessBuilder("skopeo", "copy", "--insecure-policy", "--src-tls-verify=false",
          "docker://" + p.reference(), "docker-archive:" + archive + ":offline.example/busybox:1").redirectErrorStream(true).start();
      String out = new String(skopeo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(skopeo.waitFor()).as(out).isZero();
    }
    String workDir = dir.resolve("agent").toString();
    CliRun imported = mezzo("image", "import", "--work-dir", workDir, archive.toString());
    assertThat(imported.exit()).as(imported.toString()).isZero();
    assertThat(imported.out()).startsWith("imported offline.example/busybox:1@sha256:");
    assertThat(mezzo("image", "ls", "--work-dir", workDir).out()).contains("offline.example/busybox:1");
  }

  @Test
  void theCommandsRefuseAStoreTheAgentHasOpen() {
    Path workDir = dir.resolve("agent");
    try (ImageStore agents = ImageStore.open(workDir.resolve("images"), RegistryOptions.defaults(), Clock.systemUTC())) {
      CliRun ls = mezzo("image", "ls", "--work-dir", workDir.toString());
      assertThat(ls.exit()).isEqualTo(1);
      assertThat(ls.err()).contains("is in use").contains("stop the agent that uses --work-dir " + workDir);
    }
    assertThat(mezzo("image", "ls", "--work-dir", workDir.toString()).exit()).isZero();
  }
}
