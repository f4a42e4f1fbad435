package io.mezzo.agent.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RegistrySchemeTest {
  private final RegistryClient client = new RegistryClient(
      RegistryOptions.defaults().withInsecureRegistries(Set.of("build.internal:5000")), Clock.systemUTC());

  @Test
  void registriesAreSpokenToOverHttpsUnlessInsecureOrLoopback() {
    assertThat(client.scheme("registry.example:5000")).isEqualTo("https");
    assertThat(client.scheme("docker.io")).isEqualTo("https");
    assertThat(client.scheme("10.1.2.3:5000")).isEqualTo("https");
    assertThat(client.scheme("build.internal:5000")).isEqualTo("http");
    assertThat(client.scheme("build.internal:5001")).isEqualTo("https");
    assertThat(client.scheme("127.0.0.1:5000")).isEqualTo("http");
    assertThat(client.scheme("127.9.9.9")).isEqualTo("http");
    assertThat(client.scheme("localhost:5000")).isEqualTo("http");
    assertThat(client.scheme("[::1]:5000")).isEqualTo("http");
  }
}
