package io.mezzo.agent.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mezzo.testkit.LocalRegistry;
import io.mezzo.testkit.TestImages;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image store against a real docker-registry on loopback, with images made by the test kit. */
class ImageStoreTest {
  private static final AtomicInteger REPOS = new AtomicInteger();
  private static LocalRegistry registry;

  @TempDir
  static Path registryDir;

  @TempDir
  Path work;

  @BeforeAll
  static void startRegistry() throws IOException {
    registry = LocalRegistry.start(registryDir.resolve("open"));
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  private static String repo() {
    return "test/img" + REPOS.incrementAndGet();
  }

  private ImageStore open(Path dir) {
    return ImageStore.open(dir, RegistryOptions.defaults().withTimeout(Duration.ofSeconds(10)), Clock.systemUTC());
  }

  private static Image pull(ImageStore store, String ref) throws Exception {
    return store.pull(ImageReference.parse(ref), false).get(60, TimeUnit.SECONDS);
  }

  private static ImagePullException pullFailure(ImageStore store, String ref) {
    Throwable t = catchThrowable(() -> store.pull(ImageReference.parse(ref), false).join());
    assertThat(t).isInstanceOf(CompletionException.class).hasCauseInstanceOf(ImagePullException.class);
    return (ImagePullException) t.getCause();
  }

  @Test
  void pullByTagUnpacksARunnableRootfsAndReadsTheConfig() throws Exception {
    TestImages.Pushed p = TestImages.pushBusybox(registry, repo(), "1");
    try (ImageStore store = open(work.resolve("images"))) {
      Image image = pull(store, p.reference());
      assertThat(image.digest()).isEqualTo(p.manifestDigest());
      assertThat(image.reference().digest()).isEqualTo(p.manifestDigest());
      assertThat(image.config().entrypoint()).containsExactly("/bin/sh", "-c");
      assertThat(image.config().cmd()).containsExactly("echo hello");
      assertThat(image.config().env()).contains("GREETING=hello");
      Path rootfs = image.rootfs();
      assertThat(Files.readSymbolicLink(rootfs.resolve("bin/sh"))).isEqualTo(Path.of("busybox"));
      assertThat(Files.isExecutable(rootfs.resolve("bin/busybox"))).isTrue();
      Process sh = new ProcessBuilder(rootfs.resolve("bin/busybox").toString(), "sh", "-c", "echo from-the-image")
          .redirectErrorStream(true).start();
      assertThat(new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("from-the-image\n");
      assertThat(sh.waitFor()).isZero();
      assertThat(store.list()).singleElement().satisfies(i -> {
        assertThat(i.digest()).isEqualTo(p.manifestDigest());
        assertThat(i.references()).contains(p.reference());
        assertThat(i.sizeBytes()).isGreaterThan(Files.size(TestImages.BUSYBOX) - 1);
      });
    }
  }

  @Test
  void pullByDigestGivesTheImageTheDigestNames() throws Exception {
    String repo = repo();
    TestImages.Pushed p = TestImages.pushBusybox(registry, repo, "1");
    try (ImageStore store = open(work.resolve("images"))) {
      Image image = pull(store, registry.hostPort() + "/" + repo + "@" + p.manifestDigest());
      assertThat(image.digest()).isEqualTo(p.manifestDigest());
      assertThat(image.reference().tag()).isNull();
      assertThat(image.rootfs().resolve("bin/busybox")).isRegularFile();
    }
  }

  @Test
  void anIndexIsResolvedToItsLinuxAmd64Manifest() throws Exception {
    TestImages.Pushed p = TestImages.push(registry, repo(), "multi", List.of(TestImages.busyboxLayer()),
        List.of("/bin/sh"), List.of(), List.of(), TestImages.Format.OCI_INDEX);
    try (ImageStore store = open(work.resolve("images"))) {
      Image image = pull(store, p.reference());
      assertThat(image.digest()).isEqualTo(p.manifestDigest()).isNotEqualTo(p.indexDigest());
      assertThat(image.rootfs().resolve("bin/busybox")).isRegularFile();
      String byIndex = p.reference().replace(":multi", "@" + p.indexDigest());
      assertThat(store.pull(ImageReference.parse(byIndex), true).get(60, TimeUnit.SECONDS).digest()).isEqualTo(p.manifestDigest());
      long before = registry.blobGets();
      assertThat(pull(store, byIndex).digest()).isEqualTo(p.manifestDigest()); // from the store: no request
      assertThat(registry.blobGets()).isEqualTo(before);
      assertThat(store.list()).singleElement().satisfies(i -> assertThat(i.references())
          .contains(p.reference(), byIndex.replaceFirst("@.*", "") + "@" + p.manifestDigest()));
    }
  }

  @Test
  void aSecondPullIsServedFromTheCacheWithoutBlobDownloads() throws Exception {
    TestImages.Pushed p = TestImages.pushBusybox(registry, repo(), "1");
    try (ImageStore store = open(work.resolve("images"))) {
      long before = registry.blobGets();
      pull(store, p.reference());
      long afterCold = registry.blobGets();
      assertThat(afterCold - before).isEqualTo(2); // config and the one layer
      Image again = pull(store, p.reference());
      Image forced = store.pull(ImageReference.parse(p.reference()), true).get(60, TimeUnit.SECONDS);
      assertThat(again.digest()).isEqualTo(forced.digest()).isEqualTo(p.manifestDigest());
      assertThat(registry.blobGets()).isEqualTo(afterCold);
    }
    try (ImageStore reopened = open(work.resolve("images"))) { // the cache survives the agent
      long before = registry.blobGets();
      assertThat(reopened.pull(ImageReference.parse(p.reference()), true).get(60, TimeUnit.SECONDS).rootfs()
          .resolve("bin/busybox")).isRegularFile();
      assertThat(registry.blobGets()).isEqualTo(before);
    }
  }

  @Test
  void imagesShareLayersTheyHaveInCommon() throws Exception {
    String repo = repo();
    TestImages.Pushed base = TestImages.pushBusybox(registry, repo, "base");
    TestImages.Pushed app = TestImages.push(registry, repo, "app",
        List.of(TestImages.busyboxLayer(), TestImages.layer().dir("app").file("app/run.sh", "echo app\n").tar()),
        List.of("/bin/sh"), List.of("/app/run.sh"), List.of(), TestImages.Format.OCI);
    try (ImageStore store = open(work.resolve("images"))) {
      pull(store, base.reference());
      long before = registry.blobGets();
      Image image = pull(store, app.reference());
      assertThat(registry.blobGets() - before).isEqualTo(2); // the new config and the new layer only
      assertThat(image.rootfs().resolve("app/run.sh")).hasContent("echo app");
      try (Stream<Path> layers = Files.list(work.resolve("images/layers"))) {
        assertThat(layers.filter(Files::isDirectory).count()).isEqualTo(2);
      }
    }
  }

  @Test
  void concurrentPullsOfOneImageHappenOnce() throws Exception {
    TestImages.Pushed p = TestImages.pushBusybox(registry, repo(), "1");
    try (ImageStore store = open(work.resolve("images"))) {
      long before = registry.blobGets();
      List<CompletableFuture<Image>> pulls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        pulls.add(store.pull(ImageReference.parse(p.reference()), false));
      }
      CompletableFuture.allOf(pulls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      assertThat(pulls).extracting(f -> f.join().digest()).containsOnly(p.manifestDigest());
      assertThat(registry.blobGets() - before).isEqualTo(2);
    }
  }

  @Test
  void aTamperedBlobIsRefusedWithDigestMismatchAndNotKept() throws Exception {
    TestImages.Pushed p = TestImages.push(registry, repo(), "1",
        List.of(TestImages.layer().file("data.txt", "the original content " + System.nanoTime()).tar()),
        List.of(), List.of("/bin/true"), List.of(), TestImages.Format.DOCKER);
    Path data = registry.blobData(p.layerDigests().get(0));
    byte[] bytes = Files.readAllBytes(data);
    bytes[bytes.length / 2] ^= 0x55; // same size, different content
    Files.write(data, bytes);
    try (ImageStore store = open(work.resolve("images"))) {
      ImagePullException e = pullFailure(store, p.reference());
      assertThat(e.kind()).isEqualTo(ImagePullException.Kind.DIGEST_MISMATCH);
      assertThat(e.getMessage()).startsWith("digest mismatch: ").contains(p.layerDigests().get(0));
      assertThat(work.resolve("images/blobs/sha256").resolve(p.layerDigests().get(0).substring(7))).doesNotExist();
      assertThat(store.list()).isEmpty();
      try (Stream<Path> tmp = Files.list(work.resolve("images/tmp"))) {
        assertThat(tmp).isEmpty();
      }
    }
  }

  @Test
  void unknownImageAndUnreachableRegistrySayWhich() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    try (ImageStore store = open(work.resolve("images"))) {
      ImagePullException unknown = pullFailure(store, registry.hostPort() + "/no/such:image");
      assertThat(unknown.kind()).isEqualTo(ImagePullException.Kind.UNKNOWN_IMAGE);
      assertThat(unknown.getMessage()).startsWith("unknown image: ").contains("no/such:image");
      ImagePullException unreachable = pullFailure(store, "127.0.0.1:" + closed + "/x/y:1");
      assertThat(unreachable.kind()).isEqualTo(ImagePullException.Kind.UNREACHABLE_REGISTRY);
      assertThat(unreachable.getMessage()).startsWith("unreachable registry: 127.0.0.1:" + closed);
    }
  }

  @Test
  void aConfigThatIsNotJsonIsAMalformedManifest() throws Exception {
    String repo = repo();
    byte[] layer = TestImages.gzip(TestImages.layer().file("a", "a").tar());
    String layerDigest = registry.pushBlob(repo, layer);
    String configDigest = registry.pushBlob(repo, "this is not json".getBytes(StandardCharsets.UTF_8));
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + TestImages.OCI_MANIFEST + "\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":16,\"digest\":\"" + configDigest + "\"},"
        + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"size\":" + layer.length
        + ",\"digest\":\"" + layerDigest + "\"}]}";
    registry.putManifest(repo, "bad", TestImages.OCI_MANIFEST, manifest.getBytes(StandardCharsets.UTF_8));
    try (ImageStore store = open(work.resolve("images"))) {
      ImagePullException e = pullFailure(store, registry.hostPort() + "/" + repo + ":bad");
      assertThat(e.kind()).isEqualTo(ImagePullException.Kind.MALFORMED_MANIFEST);
      assertThat(e.getMessage()).startsWith("malformed manifest: ").contains("not JSON");
    }
  }

  @Test
  void whiteoutsRemoveWhatLowerLayersPut() throws Exception {
    byte[] lower = TestImages.layer().dir("etc").file("etc/old", "old").file("etc/keep", "keep")
        .dir("opaque").file("opaque/a", "a").file("opaque/b", "b").dir("gone").file("gone/x", "x").tar();
    byte[] upper = TestImages.layer().dir("etc").file("etc/.wh.old", "").dir("opaque").file("opaque/.wh..wh..opq", "")
        .file("opaque/c", "c").file(".wh.gone", "").tar();
    TestImages.Pushed p = TestImages.push(registry, repo(), "1", List.of(lower, upper), List.of(), List.of("/x"),
        List.of(), TestImages.Format.OCI);
    try (ImageStore store = open(work.resolve("images"))) {
      Path rootfs = pull(store, p.reference()).rootfs();
      assertThat(rootfs.resolve("etc/keep")).hasContent("keep");
      assertThat(rootfs.resolve("etc/old")).doesNotExist();
      assertThat(rootfs.resolve("gone")).doesNotExist();
      try (Stream<Path> s = Files.list(rootfs.resolve("opaque"))) {
        assertThat(s.map(x -> x.getFileName().toString())).containsExactly("c");
      }
      try (Stream<Path> all = Files.walk(rootfs)) {
        assertThat(all.map(x -> x.getFileName().toString())).noneMatch(n -> n.startsWith(".wh."));
      }
    }
  }

  @Test
  void layersThatEscapeTheirRootAreRefused() throws Exception {
    Path outside = work.resolve("outside");
    Files.createDirectories(outside);
    byte[] dotdot = TestImages.layer().rawFile("../../../escaped", "x").tar();
    byte[] throughLink = TestImages.layer().symlink("link", outside.toString()).file("link/escaped", "x").tar();
    byte[] absolute = TestImages.layer().rawFile(outside.resolve("abs").toString(), "x").tar();
    try (ImageStore store = open(work.resolve("images"))) {
      for (byte[] layer : List.of(dotdot, throughLink, absolute)) {
        TestImages.Pushed p = TestImages.push(registry, repo(), "1", List.of(layer), List.of(), List.of("/x"), List.of(),
            TestImages.Format.OCI);
        ImagePullException e = pullFailure(store, p.reference());
        assertThat(e.kind()).isEqualTo(ImagePullException.Kind.UNSAFE_LAYER);
        assertThat(e.getMessage()).startsWith("unsafe layer: ");
      }
      try (Stream<Path> s = Files.list(outside)) {
        assertThat(s).isEmpty();
      }
      assertThat(work.resolve("escaped")).doesNotExist();
      assertThat(store.list()).isEmpty();
    }
  }

  @Test
  void hardLinksInALayerShareOneFile() throws Exception {
    byte[] layer = TestImages.layer().file("one", "same").hardlink("two", "one").tar();
    TestImages.Pushed p = TestImages.push(registry, repo(), "1", List.of(layer), List.of(), List.of("/x"), List.of(),
        TestImages.Format.OCI);
    try (ImageStore store = open(work.resolve("images"))) {
      Path rootfs = pull(store, p.reference()).rootfs();
      assertThat(rootfs.resolve("two")).hasContent("same");
      assertThat(Files.isSameFile(rootfs.resolve("one"), rootfs.resolve("two"))).isTrue();
    }
  }

  @Test
  void modesOwnersAndFifosAreKeptWhenRunningAsRoot() throws Exception {
    assumeTrue(LayerUnpacker.ROOT, "owners and special files are kept only as root");
    byte[] layer = TestImages.layer().root(0755).dir("srv").ownedFile("srv/tool", "#!/bin/sh\n", 04750, 1234, 567)
        .fifo("srv/pipe").tar();
    TestImages.Pushed p = TestImages.push(registry, repo(), "1", List.of(layer), List.of(), List.of("/x"), List.of(),
        TestImages.Format.OCI);
    try (ImageStore store = open(work.resolve("images"))) {
      Path rootfs = pull(store, p.reference()).rootfs();
      Path tool = rootfs.resolve("srv/tool");
      assertThat(Files.getAttribute(tool, "unix:mode")).isEqualTo(0104750);
      assertThat(Files.getAttribute(tool, "unix:uid")).isEqualTo(1234);
      assertThat(Files.getAttribute(tool, "unix:gid")).isEqualTo(567);
      assertThat(((Integer) Files.getAttribute(rootfs.resolve("srv/pipe"), "unix:mode")) & 0170000).isEqualTo(010000);
      assertThat(((Integer) Files.getAttribute(rootfs, "unix:mode")) & 07777).isEqualTo(0755);
    }
  }

  @Test
  void theRootfsRootIsReadableByEveryone() throws Exception {
    TestImages.Pushed p = TestImages.pushBusybox(registry, repo(), "1");
    try (ImageStore store = open(work.resolve("images"))) {
      Path rootfs = pull(store, p.reference()).rootfs();
      assertThat(((Integer) Files.getAttribute(rootfs, "unix:mode")) & 0755).isEqualTo(0755);
      assertThat(((Integer) Files.getAttribute(rootfs.getParent(), "unix:mode")) & 0755).isEqualTo(0755);
    }
  }

  @Test
  void basicAuthIsAnsweredWithTheRegistrysCredentials() throws Exception {
    try (LocalRegistry secured = LocalRegistry.start(work.resolve("secured"), "mezzo", "s3cret")) {
      TestImages.Pushed p = TestImages.pushBusybox(secured, "auth/busybox", "1");
      try (ImageStore anonymous = open(work.resolve("anon"))) {
        ImagePullException e = pullFailure(anonymous, p.reference());
        assertThat(e.kind()).isEqualTo(ImagePullException.Kind.AUTH_REFUSED);
        assertThat(e.getMessage()).startsWith("auth refused: ").contains(secured.hostPort());
      }
      RegistryOptions wrong = RegistryOptions.defaults()
          .withCredentials(Map.of(secured.hostPort(), new RegistryOptions.Credentials("mezzo", "wrong")));
      try (ImageStore store = ImageStore.open(work.resolve("wrong"), wrong, Clock.systemUTC())) {
        assertThat(pullFailure(store, p.reference()).kind()).isEqualTo(ImagePullException.Kind.AUTH_REFUSED);
      }
      Path credentials = work.resolve("credentials.json");
      Files.writeString(credentials, "{\"" + secured.hostPort() + "\": {\"username\": \"mezzo\", \"password\": \"s3cret\"}}");
      RegistryOptions right = RegistryOptions.defaults().withCredentials(RegistryOptions.readCredentials(credentials));
      try (ImageStore store = ImageStore.open(work.resolve("right"), right, Clock.systemUTC())) {
        assertThat(pull(store, p.reference()).digest()).isEqualTo(p.manifestDigest());
      }
    }
  }

  @Test
  void gcRemovesOnlyImagesNoTaskRetains() throws Exception {
    String repo = repo();
    TestImages.Pushed kept = TestImages.pushBusybox(registry, repo, "kept");
    TestImages.Pushed dropped = TestImages.push(registry, repo, "dropped",
        List.of(TestImages.busyboxLayer(), TestImages.layer().file("extra", "extra").tar()),
        List.of(), List.of("/x"), List.of(), TestImages.Format.OCI);
    MutableClock clock = new MutableClock();
    RegistryOptions gc = RegistryOptions.defaults().withGc(Long.MAX_VALUE, Duration.ofHours(1));
    try (ImageStore store = ImageStore.open(work.resolve("images"), gc, clock)) {
      Image k = store.pull(ImageReference.parse(kept.reference()), false).get(60, TimeUnit.SECONDS);
      Image d = store.pull(ImageReference.parse(dropped.reference()), false).get(60, TimeUnit.SECONDS);
      store.retain(k.digest(), "task-1");
      assertThat(store.collect().removedImages()).isEmpty(); // nothing old yet
      clock.advance(Duration.ofHours(2));
      GcResult r = store.collect();
      assertThat(r.removedImages()).containsExactly(d.digest());
      assertThat(r.removedLayers()).containsExactly(dropped.diffIds().get(1)); // busybox's layer stays: kept uses it
      assertThat(store.list()).extracting(ImageInfo::digest).containsExactly(k.digest());
      assertThat(d.rootfs()).doesNotExist();
      assertThat(k.rootfs().resolve("bin/busybox")).isRegularFile();
      assertThatThrownBy(() -> store.remove(kept.reference())).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("in use by [task-1]");
      store.release(k.digest(), "task-1");
      store.remove(kept.reference());
      assertThat(store.list()).isEmpty();
      try (Stream<Path> layers = Files.list(work.resolve("images/layers"))) {
        assertThat(layers).isEmpty();
      }
    }
  }

  @Test
  void gcBySizeRemovesTheLeastRecentlyUsedFirst() throws Exception {
    String repo = repo();
    MutableClock clock = new MutableClock();
    List<Image> pulled = new ArrayList<>();
    try (ImageStore store = ImageStore.open(work.resolve("images"), RegistryOptions.defaults(), clock)) {
      for (int i = 0; i < 3; i++) {
        TestImages.Pushed p = TestImages.push(registry, repo, "v" + i,
            List.of(TestImages.layer().file("f", "x".repeat(1000 * (i + 1))).tar()), List.of(), List.of("/x"), List.of(),
            TestImages.Format.OCI);
        pulled.add(store.pull(ImageReference.parse(p.reference()), false).get(60, TimeUnit.SECONDS));
        clock.advance(Duration.ofMinutes(1));
      }
      store.retain(pulled.get(0).digest(), "t"); // oldest, but in use
      store.release(pulled.get(0).digest(), "t"); // now the most recently used
      clock.advance(Duration.ofMinutes(1));
    }
    RegistryOptions small = RegistryOptions.defaults().withGc(4500, null);
    try (ImageStore store = ImageStore.open(work.resolve("images"), small, clock)) {
      GcResult r = store.collect();
      assertThat(r.removedImages()).containsExactly(pulled.get(1).digest());
      assertThat(store.list()).extracting(ImageInfo::digest)
          .containsExactlyInAnyOrder(pulled.get(0).digest(), pulled.get(2).digest());
    }
  }

  @Test
  void dockerSaveAndOciArchivesImportWithoutARegistry() throws Exception {
    TestImages.Pushed p = TestImages.pushBusybox(registry, repo(), "1");
    Path docker = work.resolve("busybox-docker.tar");
    Path oci = work.resolve("busybox-oci.tar");
    skopeo("copy", "--insecure-policy", "--src-tls-verify=false", "docker://" + p.reference(),
        "docker-archive:" + docker + ":mezzo.test/busybox:saved");
    skopeo("copy", "--insecure-policy", "--src-tls-verify=false", "docker://" + p.reference(), "oci-archive:" + oci + ":1");
    registry.close(); // no registry from here on
    try (ImageStore store = open(work.resolve("images"))) {
      Image fromDocker = store.importArchive(docker);
      assertThat(fromDocker.reference().toString()).startsWith("mezzo.test/busybox:saved@sha256:");
      assertThat(fromDocker.config().entrypoint()).containsExactly("/bin/sh", "-c");
      assertThat(fromDocker.rootfs().resolve("bin/busybox")).isRegularFile();
      Image fromOci = store.importArchive(oci);
      assertThat(fromOci.rootfs().resolve("bin/busybox")).isRegularFile();
      assertThat(fromOci.config().env()).contains("GREETING=hello");
      assertThat(store.list()).hasSize(fromOci.digest().equals(fromDocker.digest()) ? 1 : 2);
      assertThat(store.pull(ImageReference.parse("mezzo.test/busybox:saved"), false).get(10, TimeUnit.SECONDS).digest())
          .isEqualTo(fromDocker.digest()); // found in the store: no registry asked
    } finally {
      registry = LocalRegistry.start(registryDir.resolve("open-" + System.nanoTime()));
    }
  }

  @Test
  void aStoreIsOpenedByOneOwnerAndForgetsHalfMadeWork() throws Exception {
    Path dir = work.resolve("images");
    try (ImageStore store = open(dir)) {
      assertThatThrownBy(() -> open(dir)).isInstanceOf(IllegalStateException.class).hasMessageContaining("is open in another store");
      Files.createDirectories(dir.resolve("tmp/layer-crashed/bin"));
      Files.createDirectories(dir.resolve("images/" + "ab".repeat(32) + "/rootfs"));
    }
    try (ImageStore store = open(dir)) {
      try (Stream<Path> tmp = Files.list(dir.resolve("tmp"))) {
        assertThat(tmp).isEmpty();
      }
      assertThat(dir.resolve("images/" + "ab".repeat(32))).doesNotExist();
      assertThat(store.list()).isEmpty();
    }
  }

  private static void skopeo(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("skopeo"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
  }


}
