package io.mezzo.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading, validating and checking the credentials file. */
class CredentialsTest {
  static final String FILE = """
      {"principals": [
        {"name": "ops", "secret": "ops-secret-0123456789", "role": "operator"},
        {"name": "svc", "secret": "svc-secret-0123456789", "role": "framework", "frameworkRoles": ["*", "web"]},
        {"name": "agents", "secret": "agent-secret-0123456789", "role": "agent"}]}
      """;

  @TempDir
  Path dir;

  @Test
  void aSecretAuthenticatesItsPrincipalAndNothingElseDoes() {
    Credentials c = Credentials.parse(FILE);
    assertThat(c.authenticate("svc-secret-0123456789")).map(Principal::name).contains("svc");
    assertThat(c.authenticate("svc-secret-0123456789").orElseThrow().frameworkRoles()).isEqualTo(Set.of("*", "web"));
    assertThat(c.authenticate("ops-secret-0123456789")).map(Principal::role).contains(Role.OPERATOR);
    assertThat(c.authenticate("ops-secret-012345678")).isEmpty();
    assertThat(c.authenticate("")).isEmpty();
    assertThat(c.authenticate(null)).isEmpty();
  }

  @Test
  void rolesReachTheirLevelsOnly() {
    assertThat(Role.ADMIN.allows(Access.AGENT)).isTrue();
    assertThat(Role.OPERATOR.allows(Access.VIEWER)).isTrue();
    assertThat(Role.OPERATOR.allows(Access.ADMIN)).isFalse();
    assertThat(Role.VIEWER.allows(Access.OPERATOR)).isFalse();
    assertThat(Role.AGENT.allows(Access.VIEWER)).isFalse();
    assertThat(Role.FRAMEWORK.allows(Access.FRAMEWORK)).isTrue();
    assertThat(Role.FRAMEWORK.allows(Access.OPERATOR)).isFalse();
    assertThat(Role.reaching(Access.OPERATOR)).isEqualTo("admin or operator");
  }

  @Test
  void invalidFilesAreRefusedNamingTheField() {
    assertThatThrownBy(() -> Credentials.parse("{\"principals\": []}"))
        .hasMessageContaining("principals: missing or empty");
    assertThatThrownBy(() -> Credentials.parse(
        "{\"principals\": [{\"name\": \"a\", \"secret\": \"short\", \"role\": \"admin\"}]}"))
        .hasMessage("principals[0].secret: 5 characters (expected: >= 16)");
    assertThatThrownBy(() -> Credentials.parse(
        "{\"principals\": [{\"name\": \"a\", \"secret\": \"0123456789abcdef\", \"role\": \"root\"}]}"))
        .hasMessageContaining("principals[0].role: 'root' (expected: one of [admin, operator, viewer, agent, framework])");
    assertThatThrownBy(() -> Credentials.parse(
        "{\"principals\": [{\"name\": \"a\", \"secret\": \"0123456789abcdef\", \"role\": \"framework\"}]}"))
        .hasMessageContaining("principals[0].frameworkRoles: null (expected:");
    assertThatThrownBy(() -> Credentials.parse("{\"principals\": ["
        + "{\"name\": \"a\", \"secret\": \"0123456789abcdef\", \"role\": \"admin\"},"
        + "{\"name\": \"b\", \"secret\": \"0123456789abcdef\", \"role\": \"viewer\"}]}"))
        .hasMessageContaining("principals[1].secret: the same as another principal's");
    assertThatThrownBy(() -> Credentials.parse(
        "{\"principals\": [{\"name\": \"a\", \"secret\": \"0123456789abcdef\", \"role\": \"admin\", \"token\": 1}]}"))
        .hasMessageContaining("principals[0].token: unknown field");
  }

  @Test
  void aFileOthersCanReadIsRefused() throws Exception {
    Path f = dir.resolve("credentials.json");
    Files.writeString(f, FILE);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> Credentials.load(f))
        .hasMessage("credentials: " + f + " is readable by group or others (expected: chmod 600 " + f + ")");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    assertThat(Credentials.load(f).principals()).extracting(Principal::name).containsExactly("ops", "svc", "agents");
  }

  @Test
  void withAddsAnInProcessPrincipalButNoClash() {
    Credentials c = Credentials.parse(FILE);
    String secret = Credentials.newSecret();
    Credentials more = c.with(new Principal("internal", Role.ADMIN, Set.of()), secret);
    assertThat(more.authenticate(secret)).map(Principal::name).contains("internal");
    assertThat(c.authenticate(secret)).isEmpty();
    assertThatThrownBy(() -> c.with(new Principal("ops", Role.ADMIN, Set.of()), secret))
        .hasMessageContaining("clashes with 'ops'");
  }

  @Test
  void onlyLoopbackMayRunWithoutCredentials() {
    Security.NONE.checkBind("127.0.0.1", 5050);
    Security.NONE.checkBind("localhost", 5050);
    new Security(null, true).checkBind("0.0.0.0", 5050);
    new Security(Credentials.parse(FILE), false).checkBind("0.0.0.0", 5050);
    assertThatThrownBy(() -> Security.NONE.checkBind("0.0.0.0", 5050))
        .hasMessage("refusing to listen on 0.0.0.0:5050 without credentials (pass --credentials FILE, "
            + "see README \"Security\", or --insecure to accept anyone)");
  }

  static final String WITH_CERTIFICATES = """
      {"principals": [
        {"name": "ops", "secret": "ops-secret-0123456789", "role": "operator"},
        {"name": "agent-1", "certificate": "CN=agent-1", "role": "agent"},
        {"name": "spark", "secret": "spark-secret-0123456789", "certificate": "CN=spark, O=Analytics",
         "role": "framework", "frameworkRoles": ["*"]}]}
      """;

  @Test
  void aCertificateSubjectIsItsPrincipalComparedAsAnX500Name() {
    Credentials c = Credentials.parse(WITH_CERTIFICATES);
    assertThat(c.authenticateCertificate(new X500Principal("CN=agent-1"))).map(Principal::name).contains("agent-1");
    // case and spacing inside values do not matter, attributes and their order do
    assertThat(c.authenticateCertificate(new X500Principal("cn=SPARK,o=analytics"))).map(Principal::name)
        .contains("spark");
    assertThat(c.authenticateCertificate(new X500Principal("O=Analytics, CN=spark"))).isEmpty();
    assertThat(c.authenticateCertificate(new X500Principal("CN=agent-1, O=Other"))).isEmpty();
    assertThat(c.authenticateCertificate(new X500Principal("CN=ops"))).isEmpty();
    assertThat(c.authenticateCertificate(null)).isEmpty();
    // a principal with a certificate and no secret has no token at all
    assertThat(c.principals()).extracting(Principal::name).containsExactly("ops", "agent-1", "spark");
    assertThat(c.authenticate("spark-secret-0123456789")).map(Principal::name).contains("spark");
  }

  @Test
  void aKnownTokenWinsOverTheCertificateAndAnUnknownOneDoesNotHideIt() {
    Credentials c = Credentials.parse(WITH_CERTIFICATES);
    X500Principal agent = new X500Principal("CN=agent-1");
    assertThat(c.identify("ops-secret-0123456789", agent)).map(Principal::name).contains("ops");
    assertThat(c.identify("not-a-known-secret-0123", agent)).map(Principal::name).contains("agent-1");
    assertThat(c.identify(null, agent)).map(Principal::name).contains("agent-1");
    assertThat(c.identify(null, new X500Principal("CN=nobody"))).isEmpty();
    assertThat(c.identify(null, null)).isEmpty();
  }

  @Test
  void certificateEntriesAreValidatedNamingTheField() {
    assertThatThrownBy(() -> Credentials.parse("{\"principals\": [{\"name\": \"a\", \"role\": \"agent\"}]}"))
        .hasMessage("principals[0]: neither secret nor certificate (expected: a secret, a certificate subject, or both)");
    assertThatThrownBy(() -> Credentials.parse(
        "{\"principals\": [{\"name\": \"a\", \"certificate\": \"agent-1\", \"role\": \"agent\"}]}"))
        .hasMessageStartingWith("principals[0].certificate: 'agent-1' (expected: a certificate subject such as "
            + "\"CN=agent-1\"");
    assertThatThrownBy(() -> Credentials.parse("{\"principals\": ["
        + "{\"name\": \"a\", \"certificate\": \"CN=x\", \"role\": \"agent\"},"
        + "{\"name\": \"b\", \"certificate\": \"cn=X\", \"role\": \"viewer\"}]}"))
        .hasMessage("principals[1].certificate: 'CN=X' is another principal's too (expected: one certificate subject "
            + "per principal)");
  }
}
