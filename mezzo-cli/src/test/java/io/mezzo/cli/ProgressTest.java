package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@link Progress}: the bar's cells follow the fraction done; on a terminal one line is rewritten in
 * place and wiped at the end; off a terminal a line is printed when the key changes, or once per period,
 * never per poll.
 */
class ProgressTest {
  private final StringWriter text = new StringWriter();
  private final PrintWriter out = new PrintWriter(text);
  private final AtomicLong nanos = new AtomicLong();

  @Test
  void theBarFillsWithTheFractionDone() {
    assertThat(Progress.bar(0, 5, 10)).isEqualTo("[>         ]");
    assertThat(Progress.bar(3, 5, 10)).isEqualTo("[======>   ]");
    assertThat(Progress.bar(5, 5, 10)).isEqualTo("[==========]");
    assertThat(Progress.bar(9, 5, 10)).isEqualTo("[==========]");
    assertThat(Progress.bar(0, 0, 4)).isEqualTo("[    ]");
  }

  @Test
  void onATerminalTheLineIsRewrittenInPlaceAndWipedAtTheEnd() {
    Progress p = new Progress(out, true, nanos::get, Duration.ofSeconds(10));
    p.show("1/3", "deploying /web [>   ] 1/3, 1 s");
    p.show("2/3", "deploying /web [==> ] 2/3, 2 s");
    p.show("2/3", "short");
    p.clear();
    assertThat(text.toString()).isEqualTo("\rdeploying /web [>   ] 1/3, 1 s" + "\rdeploying /web [==> ] 2/3, 2 s"
        + "\rshort" + " ".repeat(25) + "\r" + " ".repeat(30) + "\r");
  }

  @Test
  void offATerminalALineIsPrintedWhenTheKeyChangesOrOncePerPeriod() {
    Progress p = new Progress(out, false, nanos::get, Duration.ofSeconds(10));
    p.show("1/3", "1/3, 0 s");
    nanos.set(Duration.ofSeconds(1).toNanos());
    p.show("1/3", "1/3, 1 s"); // same key, within the period: nothing
    p.show("2/3", "2/3, 1 s");
    nanos.set(Duration.ofSeconds(10).toNanos());
    p.show("2/3", "2/3, 10 s"); // 9 s after the last line
    nanos.set(Duration.ofSeconds(11).toNanos());
    p.show("2/3", "2/3, 11 s");
    p.clear();
    assertThat(text.toString()).isEqualTo("1/3, 0 s\n2/3, 1 s\n2/3, 11 s\n");
  }

  @Test
  void elapsedTimeTurnsToMinutesAfterTwo() {
    assertThat(Progress.elapsed(12)).isEqualTo("12 s");
    assertThat(Progress.elapsed(125)).isEqualTo("2 min 05 s");
  }
}
