package io.mezzo.autoscaler.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading trace files: the format, its errors (line and value named), interpolation, rescaling, the shipped traces. */
class TraceTest {
  private static Trace parse(String text) {
    return Trace.parse("t.csv", new StringReader(text));
  }

  @Test
  void parsesSamplesShiftedToStartAtZero() {
    Trace trace = parse("t_seconds,rps\r\n100,10\n160, 20.5 \n\n220,0\n");
    assertThat(trace.size()).isEqualTo(3);
    assertThat(trace.timeAt(0)).isZero();
    assertThat(trace.timeAt(2)).isEqualTo(120);
    assertThat(trace.rpsAt(1)).isEqualTo(20.5);
    assertThat(trace.durationSeconds()).isEqualTo(120);
    assertThat(trace.peakRps()).isEqualTo(20.5);
  }

  @Test
  void leadingByteOrderMarkIsIgnored() {
    assertThat(parse("\uFEFFt_seconds,rps\n0,1\n60,2\n").size()).isEqualTo(2);
  }

  @Test
  void samplesGivenInCodeAreCheckedToo() {
    assertThatThrownBy(() -> Trace.of("x", new double[] {0, 60, 30}, new double[] {1, 1, 1}))
        .hasMessage("x sample 2: t: 30.0 (expected: > the previous sample's 60.0)");
    assertThatThrownBy(() -> Trace.of("x", new double[] {0, 60}, new double[] {1, -2}))
        .hasMessage("x sample 1: rps: -2.0 (expected: a number >= 0)");
  }

  @Test
  void interpolatesLinearlyBetweenSamplesAndClampsAtTheEnds() {
    Trace trace = parse("t_seconds,rps\n0,10\n60,40\n120,40\n");
    assertThat(trace.rateAt(0)).isEqualTo(10);
    assertThat(trace.rateAt(30)).isEqualTo(25);
    assertThat(trace.rateAt(60)).isEqualTo(40);
    assertThat(trace.rateAt(-5)).isEqualTo(10);
    assertThat(trace.rateAt(1000)).isEqualTo(40);
  }

  @Test
  void missingHeaderIsNamedWithItsLine() {
    assertThatThrownBy(() -> parse("\n0,10\n60,20\n"))
        .isInstanceOf(TraceFormatException.class)
        .hasMessage("t.csv line 2: '0,10' (expected: the header 't_seconds,rps')");
  }

  @Test
  void badNumberIsNamedWithItsLineAndField() {
    assertThatThrownBy(() -> parse("t_seconds,rps\n0,10\n60,lots\n"))
        .isInstanceOf(TraceFormatException.class)
        .hasMessage("t.csv line 3: rps: 'lots' (expected: a decimal number)");
    assertThatThrownBy(() -> parse("t_seconds,rps\n0,10\nNaN,3\n"))
        .hasMessage("t.csv line 3: t_seconds: 'NaN' (expected: a decimal number)");
  }

  @Test
  void timeGoingBackIsRefused() {
    assertThatThrownBy(() -> parse("t_seconds,rps\n0,10\n60,1\n60,2\n"))
        .isInstanceOf(TraceFormatException.class)
        .hasMessage("t.csv line 4: t_seconds: 60 (expected: > the previous sample's 60)");
  }

  @Test
  void negativeRateIsRefused() {
    assertThatThrownBy(() -> parse("t_seconds,rps\n0,10\n60,-1\n"))
        .hasMessage("t.csv line 3: rps: -1 (expected: >= 0)");
  }

  @Test
  void wrongFieldCountIsRefused() {
    assertThatThrownBy(() -> parse("t_seconds,rps\n0,10,3\n"))
        .hasMessage("t.csv line 2: '0,10,3' (expected: two fields, t_seconds,rps)");
    assertThatThrownBy(() -> parse("t_seconds,rps\n0\n"))
        .hasMessage("t.csv line 2: '0' (expected: two fields, t_seconds,rps)");
  }

  @Test
  void tooFewSamplesAreRefused() {
    assertThatThrownBy(() -> parse("t_seconds,rps\n0,10\n")).hasMessage("t.csv: 1 samples (expected: >= 2)");
    assertThatThrownBy(() -> parse("")).hasMessageStartingWith("t.csv: empty");
  }

  @Test
  void rescaledToPeakMakesThePeakNeedThatManyInstances() {
    InstanceModel model = InstanceModel.defaults();
    Trace trace = parse("t_seconds,rps\n0,100\n60,3824\n120,10\n").rescaledToPeak(20, model.sustainableRps());
    assertThat(trace.peakRps()).isCloseTo(20 * model.sustainableRps(), within(1e-9));
    assertThat(model.demand(trace.peakRps())).isEqualTo(20);
    assertThat(trace.rpsAt(0)).isCloseTo(100 * 20 * model.sustainableRps() / 3824, within(1e-9));
    assertThatThrownBy(() -> trace.rescaledToPeak(0, 1)).hasMessage("peakInstances: 0 (expected: >= 1)");
  }

  @Test
  void writtenCsvReadsBackTheSameTrace(@TempDir Path dir) throws Exception {
    Trace trace = parse("t_seconds,rps\n0,1.5\n60,2.25\n90,0\n");
    Path file = dir.resolve("copy.csv");
    try (var out = Files.newBufferedWriter(file)) {
      trace.writeCsv(out);
    }
    Trace back = Trace.read(file);
    assertThat(back.name()).isEqualTo("copy.csv");
    assertThat(back.size()).isEqualTo(3);
    for (int i = 0; i < 3; i++) {
      assertThat(back.timeAt(i)).isEqualTo(trace.timeAt(i));
      assertThat(back.rpsAt(i)).isEqualTo(trace.rpsAt(i));
    }
    StringWriter text = new StringWriter();
    trace.writeCsv(text);
    assertThat(text.toString()).isEqualTo("t_seconds,rps\n0,1.500\n60,2.250\n90,0.000\n");
  }

  @Test
  void shippedTracesLoadFromTheClassPath() {
    Trace worldCup = Trace.bundled("worldcup98.csv");
    assertThat(worldCup.size()).isEqualTo(125300);
    assertThat(worldCup.durationSeconds() / 86400).isCloseTo(87, within(0.1));
    assertThat(worldCup.peakRps()).isCloseTo(3824, within(1.0));
    Trace wikipedia = Trace.bundled("wikipedia-en-2016-01.csv");
    assertThat(wikipedia.size()).isEqualTo(744);
    assertThatThrownBy(() -> Trace.bundled("nope.csv")).hasMessageStartingWith("trace: nope.csv (expected: one of");
  }
}
