package io.mezzo.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Reads end on UTF-8 character boundaries, so that tailing by offset never splits a character. */
class SandboxFilesUtf8Test {
  @Test
  void aCharacterCutByTheLengthIsLeftForTheNextRead() {
    byte[] b = "aé€😀".getBytes(StandardCharsets.UTF_8); // 1 + 2 + 3 + 4 bytes
    assertThat(SandboxFiles.completeUtf8(b, 1)).isEqualTo(1);
    assertThat(SandboxFiles.completeUtf8(b, 2)).isEqualTo(1);
    assertThat(SandboxFiles.completeUtf8(b, 3)).isEqualTo(3);
    assertThat(SandboxFiles.completeUtf8(b, 4)).isEqualTo(3);
    assertThat(SandboxFiles.completeUtf8(b, 5)).isEqualTo(3);
    assertThat(SandboxFiles.completeUtf8(b, 6)).isEqualTo(6);
    assertThat(SandboxFiles.completeUtf8(b, 9)).isEqualTo(6);
    assertThat(SandboxFiles.completeUtf8(b, 10)).isEqualTo(10);
  }

  @Test
  void bytesThatAreNotUtf8PassThrough() {
    byte[] b = {'x', (byte) 0xc3, 'y', (byte) 0xff};
    assertThat(SandboxFiles.completeUtf8(b, 4)).isEqualTo(4);
    assertThat(SandboxFiles.completeUtf8(b, 3)).isEqualTo(3);
  }
}
