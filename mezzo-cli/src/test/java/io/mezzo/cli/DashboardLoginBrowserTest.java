package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mezzo.testkit.MezzoCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard on a secured master (headless Chromium): the page itself loads without a token, its
 * first API call's 401 opens the sign-in box, a wrong token is refused there, and with a viewer's token
 * the overview and the live event stream (read with fetch() and the token, which EventSource cannot
 * send) work.
 */
@Tag("browser")
class DashboardLoginBrowserTest {
  private static final String VIEWER = "viewer-secret-0123456789";
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  static Path dir;

  static MezzoCluster cluster;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    cluster = MezzoCluster.builder(dir).agents(1).principal("view", "viewer", VIEWER).start();
    browser = Browser.start(Files.createDirectories(dir.resolve("chromium-profile")));
  }

  @AfterAll
  static void stop() {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  @Test
  void theFirst401AsksForATokenThatThenAuthorizesEveryCall() {
    await().atMost(WAIT).until(() -> cluster.activeAgents() == 1);
    browser.open("http://" + cluster.masterAddress() + "/ui/");
    await("the sign-in box").atMost(WAIT).until(() -> browser.find("login").isDisplayed());
    browser.screenshot("login");

    browser.find("login-token").sendKeys("not-a-token-0123456789");
    browser.find("login-submit").click();
    browser.awaitText(WAIT, null, "login-error", t -> t.contains("refused"));

    browser.find("login-token").sendKeys(VIEWER);
    browser.find("login-submit").click();
    browser.awaitText(WAIT, null, "agent-count", "1"::equals);
    assertThat(browser.find("login").isDisplayed()).isFalse();
    browser.awaitText(WAIT, null, "live-status", "live"::equals);
  }
}
