package io.mezzo.agent.http;

import io.mezzo.core.http.HttpError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads files under the agent's work directory for {@code GET /files/read}, as the Mesos files API
 * does: {@code {"data": "...", "offset": N}}, with at most {@link #MAX_LENGTH} bytes per call (the
 * default length). The offset defaults to 0; an offset of -1 answers the file's size with no data, for
 * tailing.
 *
 * <p>Only regular files whose real path (symbolic links resolved) lies inside the work directory are
 * served; anything else is a 400 naming the path, so {@code ..} and links cannot escape it. Stateless
 * and thread-safe; reads block, so callers run it off the network event loop.
 */
public final class SandboxFiles {
  public static final int MAX_LENGTH = 1024 * 1024;

  private final Path root;

  /** @param workDir the agent's work directory; it must exist */
  public SandboxFiles(Path workDir) throws IOException {
    this.root = workDir.toRealPath();
  }

  /** The answer to one read; {@code data} is the bytes read, decoded as UTF-8. */
  public record Chunk(String data, long offset) {}

  public Chunk read(String path, String offsetParam, String lengthParam) {
    if (path == null || path.isEmpty()) {
      throw HttpError.badRequest("path: missing (expected: an absolute path of a file in a sandbox)");
    }
    Path requested;
    try {
      requested = Path.of(path);
    } catch (RuntimeException e) {
      throw HttpError.badRequest("path: '" + path + "' (expected: an absolute path of a file in a sandbox)");
    }
    if (!requested.isAbsolute()) {
      throw HttpError.badRequest("path: '" + path + "' (expected: an absolute path of a file in a sandbox)");
    }
    long offset = parse("offset", offsetParam, 0);
    long length = parse("length", lengthParam, MAX_LENGTH);
    if (offset < -1) {
      throw HttpError.badRequest("offset: " + offset + " (expected: >= 0, or -1 for the file's size)");
    }
    if (length < 0) {
      throw HttpError.badRequest("length: " + length + " (expected: >= 0)");
    }
    Path real = realPathInside(path, requested);
    try (FileChannel ch = FileChannel.open(real, StandardOpenOption.READ)) {
      long size = ch.size();
      if (offset == -1) {
        return new Chunk("", size);
      }
      int n = (int) Math.max(0, Math.min(Math.min(length, MAX_LENGTH), size - offset));
      ByteBuffer buf = ByteBuffer.allocate(n);
      while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
        // keep reading until n bytes or end of file
      }
      return new Chunk(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8), offset);
    } catch (IOException e) {
      throw new HttpError(500, "path: '" + path + "' cannot be read: " + e.getMessage());
    }
  }

  private Path realPathInside(String path, Path requested) {
    Path real;
    try {
      real = requested.toRealPath();
    } catch (NoSuchFileException e) {
      if (!requested.normalize().startsWith(root)) {
        throw outside(path);
      }
      throw HttpError.notFound("path: '" + path + "' does not exist");
    } catch (IOException e) {
      throw HttpError.badRequest("path: '" + path + "' cannot be resolved: " + e.getMessage());
    }
    if (!real.startsWith(root)) {
      throw outside(path);
    }
    if (!Files.isRegularFile(real)) {
      throw HttpError.badRequest("path: '" + path + "' is not a regular file (expected: a file in a sandbox)");
    }
    return real;
  }

  private HttpError outside(String path) {
    return HttpError.badRequest("path: '" + path + "' (expected: a file inside the agent's work directory " + root + ")");
  }

  private static long parse(String name, String value, long absent) {
    if (value == null || value.isEmpty()) {
      return absent;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw HttpError.badRequest(name + ": '" + value + "' (expected: an integer)");
    }
  }
}
