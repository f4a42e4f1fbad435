package io.mezzo.cli;

import static io.mezzo.cli.CliRun.mezzo;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mezzo completion bash}: the script, sourced in a real bash, registers a completion for
 * {@code mezzo} that completes subcommands, nested subcommands and option values; zsh gets the same
 * script (it loads bashcompinit itself), and a real zsh registers it and gets the candidates.
 */
class CompletionCommandTest {
  @TempDir
  Path dir;

  private String bash(Path script, String commands) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("bash", "-c", "source " + script + "; " + commands).redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }

  /** What the completion function offers for the words typed so far (the last one being completed). */
  private String complete(Path script, String... words) throws IOException, InterruptedException {
    String array = String.join(" ", java.util.Arrays.stream(words).map(w -> "'" + w + "'").toList());
    return bash(script, "COMP_WORDS=(" + array + "); COMP_CWORD=" + (words.length - 1)
        + "; _complete_mezzo 2>/dev/null; echo \"${COMPREPLY[@]}\"").strip();
  }

  @Test
  void theBashScriptRegistersMezzoAndCompletesCommandsAndOptionValues() throws Exception {
    CliRun run = mezzo("completion", "bash");
    assertThat(run.exit()).as(run.toString()).isZero();
    Path script = Files.writeString(dir.resolve("mezzo_completion"), run.out());

    assertThat(bash(script, "complete -p mezzo")).isEqualTo("complete -o default -F _complete_mezzo mezzo\n");
    assertThat(complete(script, "mezzo", "ap")).isEqualTo("app");
    assertThat(complete(script, "mezzo", "app", "li")).isEqualTo("list");
    assertThat(complete(script, "mezzo", "do")).isEqualTo("doctor");
    assertThat(complete(script, "mezzo", "top", "--output", "")).isEqualTo("table json");
  }

  @Test
  void theZshScriptRegistersMezzoThroughBashcompinitAndOffersTheCandidates() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/zsh")), "zsh is not installed");
    CliRun run = mezzo("completion", "zsh");
    Path script = Files.writeString(dir.resolve("mezzo_completion.zsh"), run.out());
    // zsh's bashcompinit calls the function with ksharrays set and filters COMPREPLY by the typed prefix itself
    Process p = new ProcessBuilder("zsh", "-f", "-c", "autoload -U +X compinit && compinit -u; source " + script
        + "; complete -p mezzo; setopt ksharrays"
        + "; COMP_WORDS=(mezzo ap); COMP_CWORD=1; _complete_mezzo; echo \"1:${COMPREPLY[@]}\""
        + "; COMP_WORDS=(mezzo app li); COMP_CWORD=2; _complete_mezzo; echo \"2:${COMPREPLY[@]}\""
        + "; COMP_WORDS=(mezzo top --output ''); COMP_CWORD=3; _complete_mezzo; echo \"3:${COMPREPLY[@]}\"")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).contains("complete -F _complete_mezzo -o default mezzo");
    assertThat(out.lines().filter(l -> l.startsWith("1:")).findFirst().orElseThrow().split("[: ]"))
        .contains("app", "agents", "image").doesNotContain("list");
    assertThat(out.lines().filter(l -> l.startsWith("2:")).findFirst().orElseThrow().split("[: ]"))
        .contains("list", "deploy").doesNotContain("app");
    assertThat(out).contains("3:table json");
  }

  @Test
  void zshGetsTheSameScriptAndAnUnknownShellExits2() {
    assertThat(mezzo("completion", "zsh").out()).isEqualTo(mezzo("completion", "bash").out()).contains("bashcompinit");
    CliRun fish = mezzo("completion", "fish");
    assertThat(fish.exit()).isEqualTo(2);
    assertThat(fish.err()).contains("fish").contains("bash, zsh");
  }
}
