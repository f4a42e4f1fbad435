package io.mezzo.agent.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The pure rule for a task's user, over a made-up table of accounts. */
class TaskUsersTest {
  static final Account ROOT = new Account("root", 0, 0);
  static final Account NOBODY = new Account("nobody", 65534, 65534);
  static final Account ALICE = new Account("alice", 1000, 1000);
  static final Account TOOR = new Account("toor", 0, 0);
  static final Function<String, Optional<Account>> LOOKUP =
      name -> Optional.ofNullable(Map.of("root", ROOT, "nobody", NOBODY, "alice", ALICE, "toor", TOOR).get(name));
  static final TaskUserConfig DEFAULTS = TaskUserConfig.defaults();

  static TaskUsers.Decision decide(String command, String framework, TaskUserConfig config, Account agent) {
    return TaskUsers.decide(command, framework, config, agent, agent.isRoot() ? NOBODY : agent, LOOKUP, "h1");
  }

  @Test
  void commandUserWinsOverFrameworkUserAndIsSwitchedTo() {
    TaskUsers.Choice c = decide("alice", "nobody", DEFAULTS, ROOT).choice();
    assertThat(c).isEqualTo(new TaskUsers.Choice(ALICE, true, null));
    assertThat(c.argvPrefix()).containsExactly("setpriv", "--reuid=1000", "--regid=1000", "--init-groups", "--");
  }

  @Test
  void frameworkUserAppliesWhenTheCommandNamesNoneOrABlankOne() {
    assertThat(decide(" ", "alice", DEFAULTS, ROOT).choice().account()).isEqualTo(ALICE);
    assertThat(decide(null, null, DEFAULTS, ROOT).choice()).isEqualTo(new TaskUsers.Choice(NOBODY, true, null));
  }

  @Test
  void rootByUidIsRefusedUnlessAllowed() {
    TaskUsers.Decision refused = decide("toor", null, DEFAULTS, ROOT);
    assertThat(refused.rootRefused()).isTrue();
    assertThat(refused.choice().account()).isEqualTo(NOBODY);
    assertThat(refused.choice().note()).startsWith("Runs as 'nobody', not 'toor'");
    TaskUsers.Choice allowed = decide("root", null, DEFAULTS.withAllowRootTasks(true), ROOT).choice();
    assertThat(allowed).isEqualTo(new TaskUsers.Choice(ROOT, false, null));
    assertThat(allowed.argvPrefix()).isEmpty();
  }

  @Test
  void unknownUserIsAFailureNamingTheHost() {
    TaskUsers.Decision d = decide("bob", "alice", DEFAULTS, ROOT);
    assertThat(d.choice()).isNull();
    assertThat(d.failure()).isEqualTo("user 'bob' does not exist on agent h1");
  }

  @Test
  void unprivilegedAgentRunsEverythingAsItselfWithoutError() {
    TaskUsers.Decision d = decide("bob", null, DEFAULTS, ALICE);
    assertThat(d.failure()).isNull();
    assertThat(d.choice()).isEqualTo(new TaskUsers.Choice(ALICE, false,
        "Runs as 'alice', the agent's user, not 'bob' (the agent is not root and cannot switch users)"));
    assertThat(decide(null, "alice", DEFAULTS, ALICE).choice().note()).isNull();
  }

  @Test
  void switchingOffRunsAsTheAgentsUser() {
    assertThat(decide("alice", null, DEFAULTS.withSwitchUser(false), ROOT).choice())
        .isEqualTo(new TaskUsers.Choice(ROOT, false, "Runs as 'root', the agent's user, not 'alice' (--switch-user=false)"));
  }

  @Test
  void configRejectsWhatIsNotAUserName() {
    assertThatThrownBy(() -> DEFAULTS.withTaskUser("-x"))
        .hasMessage("taskUser: '-x' (expected: a user name, such as nobody)");
    assertThat(Accounts.byName("a:b")).isEmpty();
    assertThat(Accounts.parse("nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin")).contains(NOBODY);
  }
}
