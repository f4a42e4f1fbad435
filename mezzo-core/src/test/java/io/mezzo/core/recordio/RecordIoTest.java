package io.mezzo.core.recordio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecordIoTest {
  @Test
  void framesAreReadBackInOrder() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(RecordIo.frame("{\"type\":\"HEARTBEAT\"}".getBytes(StandardCharsets.UTF_8)));
    out.write(RecordIo.frame("héllo".getBytes(StandardCharsets.UTF_8)));
    assertThat(new String(out.toByteArray(), StandardCharsets.UTF_8)).startsWith("20\n{");
    RecordIo.Reader reader = new RecordIo.Reader(new ByteArrayInputStream(out.toByteArray()));
    assertThat(new String(reader.next(), StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"HEARTBEAT\"}");
    assertThat(new String(reader.next(), StandardCharsets.UTF_8)).isEqualTo("héllo");
    assertThat(reader.next()).isNull();
  }

  @Test
  void truncatedOrOversizedRecordsAreErrors() {
    RecordIo.Reader cut = new RecordIo.Reader(new ByteArrayInputStream("10\nabc".getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(cut::next).hasMessageContaining("inside a record");
    RecordIo.Reader big = new RecordIo.Reader(new ByteArrayInputStream("99\n".getBytes(StandardCharsets.UTF_8)), 10);
    assertThatThrownBy(big::next).hasMessageContaining("expected: 1 to 10");
    RecordIo.Reader junk = new RecordIo.Reader(new ByteArrayInputStream("x\n".getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(junk::next).hasMessageContaining("bad length header");
  }
}
