package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code mezzo top} on a real pseudo-terminal (util-linux {@code script} runs it as a separate process):
 * it switches to the alternate screen and hides the cursor, redraws frames, switches the sort on
 * {@code s}, and gives the screen, the cursor and the terminal's settings back on {@code q} and on Ctrl-C.
 */
class TopTerminalTest {
  private static final String ALT_ON = "\033[?1049h";
  private static final String RESTORED = "\033[?25h\033[?1049l";

  private final FakeMarathon master = ClusterJson.serve(new FakeMarathon());

  @AfterEach
  void stop() {
    master.close();
  }

  /** A process's output, read as it comes. */
  private static final class Captured {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Captured(InputStream in) {
      Thread t = new Thread(() -> {
        byte[] buf = new byte[4096];
        try {
          int n;
          while ((n = in.read(buf)) >= 0) {
            synchronized (bytes) {
              bytes.write(buf, 0, n);
            }
          }
        } catch (IOException e) {
          // the process ended
        }
      });
      t.setDaemon(true);
      t.start();
    }

    String text() {
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
      }
    }
  }

  private Process top() throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "util-linux script is not installed");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // the wrapping shell keeps going after top ends on Ctrl-C (the trap), whichever shell script picks
    String command = "trap : INT; " + java + " -cp " + System.getProperty("java.class.path") + " " + Main.class.getName() + " top --master "
        + master.address() + " --lb-stats " + master.address() + " --interval 500ms; stty -a";
    ProcessBuilder builder = new ProcessBuilder("script", "-qfec", command, "/dev/null").redirectErrorStream(true);
    builder.environment().put("SHELL", "/bin/sh");
    return builder.start();
  }

  @Test
  void qRestoresTheScreenAndTheTerminalAfterFramesAndASortSwitch() throws Exception {
    Process p = top();
    Captured out = new Captured(p.getInputStream());
    OutputStream keys = p.getOutputStream();
    await("a first frame").atMost(Duration.ofSeconds(30)).until(() -> out.text().contains("by id)"));
    keys.write('s');
    keys.flush();
    await("a frame sorted by instances").atMost(Duration.ofSeconds(30)).until(() -> out.text().contains("by instances)"));
    keys.write('q');
    keys.flush();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String text = out.text();
    assertThat(text).contains(ALT_ON + "\033[?25l\033[H\033[2Jmezzo top  master " + master.address());
    assertThat(text.indexOf(RESTORED)).isGreaterThan(text.lastIndexOf("/batch"));
    String stty = text.substring(text.indexOf(RESTORED));
    assertThat(stty).containsPattern("[^-]icanon").containsPattern("[^-]echo ");
    assertThat(p.exitValue()).isZero();
  }

  @Test
  void ctrlCRestoresTheScreenAndTheTerminal() throws Exception {
    Process p = top();
    Captured out = new Captured(p.getInputStream());
    await("a first frame").atMost(Duration.ofSeconds(30)).until(() -> out.text().contains("by id)"));
    p.getOutputStream().write(3); // Ctrl-C: the terminal sends SIGINT
    p.getOutputStream().flush();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String text = out.text();
    assertThat(text).contains(RESTORED);
    assertThat(text.substring(text.indexOf(RESTORED))).containsPattern("[^-]icanon").containsPattern("[^-]echo ");
  }
}
