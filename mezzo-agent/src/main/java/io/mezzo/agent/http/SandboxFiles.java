package io.mezzo.agent.http;

import io.mezzo.core.http.HttpError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The Mesos files API over task sandboxes: {@code GET /files/read?path=&offset=&length=} answers
 * {@code {"data": "...", "offset": N}} (at most {@link #MAX_LENGTH} bytes per call, the default
 * length; offset -1 answers the file's size with no data, for tailing) and {@code GET
 * /files/browse?path=} answers the directory's entries as Mesos does ({@code path}, {@code nlink},
 * {@code size}, {@code mtime} in seconds, {@code mode} as {@code ls} prints it, {@code uid}, {@code gid}).
 *
 * <p>A path names something inside a sandbox, {@code WORK_DIR/frameworks/F/tasks/T/runs/R}, in one of
 * two forms: its absolute path on the agent, or the virtual path {@code /frameworks/F/tasks/T/runs/R/...}
 * (relative to the work directory), where {@code R} may be {@code latest}, the newest run of the task
 * (as Mesos attaches {@code runs/latest}). Everything else is refused with 403 and a body naming the
 * path: relative paths, any {@code ..} segment, absolute paths outside the sandboxes (the agent's own
 * files included), and symbolic links whose target lies outside them. A missing path inside a sandbox
 * is a 404; a missing path elsewhere is a 403, so the API does not tell what exists outside.
 *
 * <p>Stateless and thread-safe; it blocks on the file system, so callers run it off the network event
 * loop.
 */
public final class SandboxFiles {
  public static final int MAX_LENGTH = 1024 * 1024;
  /** Components of {@code frameworks/F/tasks/T/runs/R} below the work directory. */
  private static final int SANDBOX_DEPTH = 6;
  private static final String EXPECTED = "(expected: an absolute path in a task sandbox, "
      + "WORK_DIR/frameworks/F/tasks/T/runs/R/... or /frameworks/F/tasks/T/runs/R|latest/..., without '..')";

  private final Path workDir;
  private final Path root;

  /** @param workDir the agent's work directory; it must exist */
  public SandboxFiles(Path workDir) throws IOException {
    this.workDir = workDir.toAbsolutePath().normalize();
    this.root = workDir.toRealPath();
  }

  /** The answer to one read; {@code data} is the bytes read, decoded as UTF-8. */
  public record Chunk(String data, long offset) {}

  /** One entry of a directory listing, in the Mesos {@code /files/browse} shape. */
  public record Entry(String path, long nlink, long size, double mtime, String mode, String uid, String gid) {}

  public Chunk read(String path, String offsetParam, String lengthParam) {
    long offset = parse("offset", offsetParam, 0);
    long length = parse("length", lengthParam, MAX_LENGTH);
    if (offset < -1) {
      throw HttpError.badRequest("offset: " + offset + " (expected: >= 0, or -1 for the file's size)");
    }
    if (length < 0) {
      throw HttpError.badRequest("length: " + length + " (expected: >= 0)");
    }
    Path real = resolve(path);
    if (!Files.isRegularFile(real)) {
      throw HttpError.badRequest("path: '" + path + "' is not a regular file (expected: a file in a sandbox)");
    }
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
      int whole = completeUtf8(buf.array(), buf.position());
      return new Chunk(new String(buf.array(), 0, whole, StandardCharsets.UTF_8), offset);
    } catch (IOException e) {
      throw new HttpError(500, "path: '" + path + "' cannot be read: " + e.getMessage());
    }
  }

  /** The entries of a directory in a sandbox, by name; each {@code path} is {@code path + "/" + name}. */
  public List<Entry> browse(String path) {
    Path real = resolve(path);
    if (!Files.isDirectory(real)) {
      throw HttpError.badRequest("path: '" + path + "' is not a directory (expected: a directory in a sandbox)");
    }
    String prefix = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    List<Entry> out = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(real)) {
      for (Path p : dir) {
        Entry e = entry(prefix + "/" + p.getFileName(), p);
        if (e != null) {
          out.add(e);
        }
      }
    } catch (IOException e) {
      throw new HttpError(500, "path: '" + path + "' cannot be listed: " + e.getMessage());
    }
    out.sort(Comparator.comparing(Entry::path));
    return out;
  }

  private static Entry entry(String shownPath, Path p) {
    try {
      PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      char type = a.isDirectory() ? 'd' : a.isSymbolicLink() ? 'l' : a.isRegularFile() ? '-' : '?';
      Object nlink = Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
      return new Entry(shownPath, ((Number) nlink).longValue(), a.size(), seconds(a.lastModifiedTime()),
          type + PosixFilePermissions.toString(a.permissions()), a.owner().getName(), a.group().getName());
    } catch (NoSuchFileException e) {
      return null; // removed while listing
    } catch (IOException | UnsupportedOperationException e) {
      throw new HttpError(500, "path: '" + shownPath + "' cannot be read: " + e.getMessage());
    }
  }

  /**
   * How many of the first {@code n} bytes end on a UTF-8 character boundary: a multi-byte character
   * cut by the length (or still being written) is left for the next read, so that a client adding the
   * UTF-8 length of {@code data} to its offset stays in step with the file. Bytes that are not UTF-8
   * at all are passed through; only a trailing partial character is held back.
   */
  static int completeUtf8(byte[] b, int n) {
    for (int back = 1; back <= 3 && back <= n; back++) {
      int c = b[n - back] & 0xff;
      if ((c & 0xc0) == 0x80) {
        continue; // a continuation byte: look further back for the lead byte
      }
      int needed = c >= 0xf8 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
      return needed > back ? n - back : n;
    }
    return n;
  }

  private static double seconds(FileTime t) {
    return t.toMillis() / 1000.0;
  }

  /** The real path {@code path} names, checked to lie inside a sandbox. */
  Path resolve(String path) {
    if (path == null || path.isEmpty()) {
      throw HttpError.badRequest("path: missing " + EXPECTED);
    }
    if (!path.startsWith("/")) {
      throw forbidden(path, "is relative");
    }
    for (String segment : path.split("/")) {
      if (segment.equals("..")) {
        throw forbidden(path, "contains '..'");
      }
    }
    Path requested;
    try {
      requested = Path.of(path).normalize();
    } catch (InvalidPathException e) {
      throw forbidden(path, "is not a valid path");
    }
    Path relative;
    if (requested.startsWith(root)) {
      relative = root.relativize(requested);
    } else if (requested.startsWith(workDir)) {
      relative = workDir.relativize(requested);
    } else if (requested.getNameCount() > 0 && requested.getName(0).toString().equals("frameworks")) {
      relative = Path.of("/").relativize(requested);
    } else {
      throw forbidden(path, "is outside the task sandboxes");
    }
    if (!isSandboxPath(relative)) {
      throw forbidden(path, "is outside the task sandboxes");
    }
    Path candidate = root.resolve(latest(relative));
    Path real;
    try {
      real = candidate.toRealPath();
    } catch (NoSuchFileException e) {
      throw HttpError.notFound("path: '" + path + "' does not exist");
    } catch (IOException e) {
      throw forbidden(path, "cannot be resolved: " + e.getMessage());
    }
    if (!real.startsWith(root) || !isSandboxPath(root.relativize(real))) {
      throw forbidden(path, "leads outside the task sandboxes");
    }
    return real;
  }

  /** Whether {@code rel} (relative to the work dir) is {@code frameworks/F/tasks/T/runs/R[/...]}. */
  private static boolean isSandboxPath(Path rel) {
    return rel.getNameCount() >= SANDBOX_DEPTH
        && rel.getName(0).toString().equals("frameworks")
        && rel.getName(2).toString().equals("tasks")
        && rel.getName(4).toString().equals("runs");
  }

  /** {@code rel} with a run id of {@code latest} replaced by the task's newest run, if it has one. */
  private Path latest(Path rel) {
    if (!rel.getName(5).toString().equals("latest")) {
      return rel;
    }
    Path runs = root.resolve(rel.subpath(0, 5));
    Path newest = null;
    FileTime newestTime = null;
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(runs, Files::isDirectory)) {
      for (Path run : dir) {
        FileTime t = Files.getLastModifiedTime(run);
        if (newest == null || t.compareTo(newestTime) > 0) {
          newest = run;
          newestTime = t;
        }
      }
    } catch (IOException e) {
      return rel; // no runs: the caller answers 404
    }
    if (newest == null) {
      return rel;
    }
    Path out = rel.subpath(0, 5).resolve(newest.getFileName());
    return rel.getNameCount() > SANDBOX_DEPTH ? out.resolve(rel.subpath(SANDBOX_DEPTH, rel.getNameCount())) : out;
  }

  private static HttpError forbidden(String path, String why) {
    return new HttpError(403, "path: '" + path + "' " + why + " " + EXPECTED);
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
