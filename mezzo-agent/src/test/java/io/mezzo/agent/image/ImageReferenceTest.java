package io.mezzo.agent.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {
  private static final String D = "sha256:" + "ab".repeat(32);

  @Test
  void bareNameDefaultsLikeDocker() {
    assertThat(ImageReference.parse("busybox")).isEqualTo(new ImageReference("docker.io", "library/busybox", "latest", null));
    assertThat(ImageReference.parse("busybox:1.36").tag()).isEqualTo("1.36");
    assertThat(ImageReference.parse("someone/app").repository()).isEqualTo("someone/app");
  }

  @Test
  void firstComponentWithDotColonOrLocalhostIsTheRegistry() {
    ImageReference r = ImageReference.parse("127.0.0.1:5000/team/app:v1");
    assertThat(r.registry()).isEqualTo("127.0.0.1:5000");
    assertThat(r.repository()).isEqualTo("team/app");
    assertThat(r.tag()).isEqualTo("v1");
    assertThat(ImageReference.parse("localhost/app").registry()).isEqualTo("localhost");
    assertThat(ImageReference.parse("quay.io/x/y").registry()).isEqualTo("quay.io");
  }

  @Test
  void digestWithoutTagHasNoTag() {
    ImageReference r = ImageReference.parse("host:5000/x@" + D);
    assertThat(r.tag()).isNull();
    assertThat(r.digest()).isEqualTo(D);
    assertThat(r.toString()).isEqualTo("host:5000/x@" + D);
    assertThat(ImageReference.parse("host:5000/x:t@" + D).toString()).isEqualTo("host:5000/x:t@" + D);
  }

  @Test
  void badPartsAreNamed() {
    assertThatThrownBy(() -> ImageReference.parse("Upper/Case")).hasMessageStartingWith("repository: 'Upper/Case'");
    assertThatThrownBy(() -> ImageReference.parse("x@sha256:zz")).hasMessageStartingWith("digest: 'sha256:zz'");
    assertThatThrownBy(() -> ImageReference.parse("x:-bad")).hasMessageStartingWith("tag: '-bad'");
    assertThatThrownBy(() -> ImageReference.parse(" ")).hasMessageStartingWith("image: ' '");
  }
}
