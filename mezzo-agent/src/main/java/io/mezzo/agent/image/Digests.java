package io.mezzo.agent.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** sha256 digests in the {@code sha256:HEX} form, and copies that verify one while streaming. Stateless. */
final class Digests {
  private Digests() {}

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("BUG: no SHA-256 in this JVM", e);
    }
  }

  static String of(byte[] bytes) {
    return "sha256:" + HexFormat.of().formatHex(sha256().digest(bytes));
  }

  static String of(MessageDigest d) {
    return "sha256:" + HexFormat.of().formatHex(d.digest());
  }

  /** The hex part of {@code sha256:HEX}, checked, so it is safe as a file name. */
  static String hex(String digest) {
    if (digest == null || !ImageReference.DIGEST.matcher(digest).matches()) {
      throw new IllegalArgumentException("digest: '" + digest + "' (expected: sha256: and 64 lower-case hex digits)");
    }
    return digest.substring("sha256:".length());
  }

  /**
   * Streams {@code in} to a temporary file in {@code tmpDir}, hashing as it goes, and moves it to
   * {@code target} only if the content's digest is {@code expected}; otherwise deletes it.
   *
   * @return the bytes copied
   * @throws ImagePullException {@code digest mismatch} when the content is not what was asked for
   */
  static long copyVerified(InputStream in, String expected, Path tmpDir, Path target, String what)
      throws IOException, ImagePullException {
    MessageDigest md = sha256();
    Path tmp = Files.createTempFile(tmpDir, "blob-", ".part");
    long n = 0;
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        byte[] buf = new byte[64 * 1024];
        for (int r; (r = in.read(buf)) >= 0; ) {
          md.update(buf, 0, r);
          out.write(buf, 0, r);
          n += r;
        }
      }
      String actual = of(md);
      if (!actual.equals(expected)) {
        throw new ImagePullException(ImagePullException.Kind.DIGEST_MISMATCH,
            what + ": content hashes to " + actual + " (expected: " + expected + ")");
      }
      Files.createDirectories(target.getParent());
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return n;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
