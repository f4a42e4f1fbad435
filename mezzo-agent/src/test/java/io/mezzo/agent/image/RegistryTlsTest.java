package io.mezzo.agent.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.testkit.LocalRegistry;
import io.mezzo.testkit.TestImages;
import io.mezzo.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls over HTTPS from a real docker-registry serving TLS on this machine's non-loopback address (the
 * store speaks plain HTTP to loopback registries) with a certificate from a private CA: refused with a
 * TLS message until the store trusts that CA ({@code --registry-ca}), then pulled and verified.
 */
class RegistryTlsTest {
  @TempDir
  Path dir;

  @Test
  void httpsRegistryWithAPrivateCaIsRefusedUntilTheCaIsTrustedThenPulled() throws Exception {
    Optional<String> address = LocalRegistry.siteAddress();
    Assumptions.assumeTrue(address.isPresent(), "this machine has no non-loopback IPv4 address");
    TestPki pki = TestPki.create(dir.resolve("pki"), "registry-ca");
    try (LocalRegistry registry = LocalRegistry.startTls(dir.resolve("registry"), address.get(), pki)) {
      String ref = TestImages.pushBusybox(registry, "secure/busybox", "1").reference();
      assertThat(ref).startsWith(address.get() + ":");

      try (ImageStore untrusting = ImageStore.open(dir.resolve("a/images"),
          RegistryOptions.defaults().withTimeout(Duration.ofSeconds(10)), Clock.systemUTC())) {
        assertThatThrownBy(() -> untrusting.pull(ImageReference.parse(ref), false).join())
            .isInstanceOf(CompletionException.class).cause().isInstanceOf(ImagePullException.class)
            .hasMessageStartingWith("unreachable registry: " + registry.hostPort() + ": TLS handshake failed")
            .hasMessageContaining("--registry-ca");
        assertThat(untrusting.list()).isEmpty();
      }

      try (ImageStore trusting = ImageStore.open(dir.resolve("b/images"), RegistryOptions.defaults()
          .withTimeout(Duration.ofSeconds(10)).withCaCertificates(pki.caPem()), Clock.systemUTC())) {
        Image image = trusting.pull(ImageReference.parse(ref), false).join();
        assertThat(Files.isRegularFile(image.rootfs().resolve("bin/busybox"))).isTrue();
      }
    }
  }

  @Test
  void aCaFileWithoutCertificatesIsNamed() throws Exception {
    Path bogus = Files.writeString(dir.resolve("bogus.pem"), "not a certificate\n");
    assertThatThrownBy(() -> ImageStore.open(dir.resolve("images"),
        RegistryOptions.defaults().withCaCertificates(bogus), Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--registry-ca: " + bogus);
  }
}
