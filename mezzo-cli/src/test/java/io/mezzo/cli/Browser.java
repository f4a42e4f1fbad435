package io.mezzo.cli;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Debian Chromium for the dashboard's tests, driven through {@code /usr/bin/chromedriver}
 * (both paths given, so Selenium Manager is never asked to find or download anything), with a
 * throw-away profile. Finds elements by their {@code data-testid}, waits for their text with
 * Awaitility, and saves full-page screenshots under {@code target/screenshots/} (CI artifacts).
 * One test thread.
 */
final class Browser implements AutoCloseable {
  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final int WIDTH = 1280;
  private static final int HEIGHT = 1000;

  private final ChromeDriverService service;
  private final ChromeDriver driver;

  private Browser(ChromeDriverService service, ChromeDriver driver) {
    this.service = service;
    this.driver = driver;
  }

  /** Starts Chromium with its profile in {@code profileDir}; fails saying what to install when it is missing. */
  static Browser start(Path profileDir) {
    for (String exe : List.of(CHROMIUM, CHROMEDRIVER)) {
      if (!Files.isExecutable(Path.of(exe))) {
        throw new IllegalStateException(exe + ": not installed (expected: Debian's chromium and chromium-driver"
            + " packages; `apt-get install -y chromium chromium-driver`, as .ci/run does)");
      }
    }
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER))
        .usingAnyFreePort()
        .withLogOutput(java.io.OutputStream.nullOutputStream())
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=" + WIDTH + "," + HEIGHT,
        "--user-data-dir=" + profileDir.toAbsolutePath());
    try {
      return new Browser(service, new ChromeDriver(service, options));
    } catch (RuntimeException e) {
      service.stop();
      throw e;
    }
  }

  void open(String url) {
    driver.get(url);
  }

  /** Navigates within the page (hash routing: no reload). */
  void go(String hash) {
    ((JavascriptExecutor) driver).executeScript("location.hash = arguments[0]", hash);
  }

  static By testId(String id) {
    return By.cssSelector("[data-testid='" + id + "']");
  }

  WebElement find(String testId) {
    return driver.findElement(testId(testId));
  }

  /** The element {@code testId} inside the element {@code parentTestId}. */
  WebElement find(String parentTestId, String testId) {
    return find(parentTestId).findElement(testId(testId));
  }

  List<WebElement> all(String testId) {
    return driver.findElements(testId(testId));
  }

  /** Waits until the element {@code testId} (inside {@code parentTestId} when given) has text that {@code ok} accepts. */
  String awaitText(Duration atMost, String parentTestId, String testId, Predicate<String> ok) {
    String what = (parentTestId == null ? "" : parentTestId + " ") + testId;
    try {
      return await(what).atMost(atMost).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
          .until(() -> (parentTestId == null ? find(testId) : find(parentTestId, testId)).getText(), ok);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      Path shot = screenshot("failed-" + testId);
      String toast = all("toast").isEmpty() ? "" : all("toast").get(0).getText();
      throw new AssertionError(e.getMessage() + " (the page's last message: '" + toast + "'; screenshot " + shot + ")",
          e);
    }
  }

  /**
   * Clicks the element {@code element} finds, finding it again when a refresh replaced it between the
   * find and the click (pages re-render their lists on every refresh).
   */
  void click(java.util.function.Supplier<WebElement> element) {
    await("click").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .ignoreExceptionsInstanceOf(org.openqa.selenium.StaleElementReferenceException.class)
        .until(() -> {
          element.get().click();
          return true;
        });
  }

  /** Waits until an element matching the CSS {@code selector} is on the page. */
  void awaitPresent(Duration atMost, String selector) {
    await(selector).atMost(atMost).pollInterval(Duration.ofMillis(250))
        .until(() -> !driver.findElements(By.cssSelector(selector)).isEmpty());
  }

  /**
   * Saves the whole page (not only the window) as {@code target/screenshots/<name>.png}: the view is
   * stretched to the page's height for the shot through the DevTools protocol, then restored.
   */
  Path screenshot(String name) {
    @SuppressWarnings("unchecked")
    Map<String, Object> size = (Map<String, Object>) driver.executeCdpCommand("Page.getLayoutMetrics", Map.of())
        .get("cssContentSize");
    int height = (int) Math.min(4000, Math.max(HEIGHT, Math.ceil(((Number) size.get("height")).doubleValue())));
    driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
        Map.of("width", WIDTH, "height", height, "deviceScaleFactor", 1, "mobile", false));
    try {
      Files.createDirectories(SCREENSHOTS);
      Path to = SCREENSHOTS.resolve(name + ".png");
      Files.write(to, driver.getScreenshotAs(OutputType.BYTES));
      return to;
    } catch (IOException e) {
      throw new UncheckedIOException("screenshot " + name, e);
    } finally {
      driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
    }
  }
}
