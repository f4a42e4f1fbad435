package io.mezzo.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.core.recordio.RecordIo;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** RecordIO records come out whole and in order however the stream is cut into chunks. */
class RecordIoBufferTest {

  @Property(tries = 200)
  void recordsSplitAnywhereAcrossChunksAreReassembled(
      @ForAll @Size(min = 1, max = 20) List<@StringLength(min = 1, max = 300) String> records,
      @ForAll @IntRange(min = 1, max = 64) int chunkSize) {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    for (String r : records) {
      wire.writeBytes(RecordIo.frame(r.getBytes(StandardCharsets.UTF_8)));
    }
    byte[] bytes = wire.toByteArray();
    RecordIoBuffer buffer = new RecordIoBuffer();
    List<String> out = new ArrayList<>();
    for (int i = 0; i < bytes.length; i += chunkSize) {
      int n = Math.min(chunkSize, bytes.length - i);
      buffer.feed(Unpooled.wrappedBuffer(bytes, i, n), r -> out.add(new String(r, StandardCharsets.UTF_8)));
    }
    buffer.release();
    assertThat(out).containsExactlyElementsOf(records);
  }

  @Property(tries = 20)
  void aMalformedLengthHeaderIsRefused(@ForAll @IntRange(min = 1, max = 8) int chunkSize) {
    byte[] bytes = "12x\n{}".getBytes(StandardCharsets.US_ASCII);
    RecordIoBuffer buffer = new RecordIoBuffer();
    assertThatThrownBy(() -> {
      for (int i = 0; i < bytes.length; i += chunkSize) {
        buffer.feed(Unpooled.wrappedBuffer(bytes, i, Math.min(chunkSize, bytes.length - i)), r -> { });
      }
    }).isInstanceOf(IllegalStateException.class).hasMessageContaining("bad length header byte");
    buffer.release();
  }
}
