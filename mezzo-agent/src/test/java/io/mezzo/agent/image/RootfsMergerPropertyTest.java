package io.mezzo.agent.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The merged rootfs equals a model of the OCI layer rules, over random stacks of layers on a small
 * namespace (top names a, b, c; children x, y): files and directories replace what lower layers had at
 * their path, {@code .wh.NAME} removes NAME and everything under it from the lower layers,
 * {@code .wh..wh..opq} empties its directory of what the lower layers put there.
 */
class RootfsMergerPropertyTest {
  private static final List<String> TOPS = List.of("a", "b", "c");
  private static final List<String> CHILDREN = List.of("x", "y");
  private static final String DIR = "<dir>";

  /** One layer: an op per path, "" for none. Tops: file, dir, whiteout, opaque; children: file, whiteout. */
  record Layer(Map<String, String> ops) {}

  @Provide
  Arbitrary<List<Layer>> stacks() {
    Arbitrary<String> topOp = Arbitraries.of("", "", "file", "dir", "whiteout", "opaque");
    Arbitrary<String> childOp = Arbitraries.of("", "", "file", "whiteout");
    Arbitrary<Layer> layer = topOp.list().ofSize(TOPS.size()).flatMap(tops -> childOp.list().ofSize(TOPS.size() * CHILDREN.size())
                .map(children -> {
                  Map<String, String> ops = new TreeMap<>();
                  for (int t = 0; t < TOPS.size(); t++) {
                    String top = TOPS.get(t);
                    ops.put(top, tops.get(t));
                    for (int c = 0; c < CHILDREN.size(); c++) {
                      boolean topIsLeaf = tops.get(t).equals("file") || tops.get(t).equals("whiteout");
                      ops.put(top + "/" + CHILDREN.get(c), topIsLeaf ? "" : children.get(t * CHILDREN.size() + c));
                    }
                  }
                  return new Layer(ops);
                }));
    return layer.list().ofMinSize(1).ofMaxSize(4);
  }

  @Property(tries = 200)
  void mergedRootfsFollowsTheLayerRules(@ForAll("stacks") List<Layer> stack) throws IOException {
    Path work = Files.createTempDirectory("merge-prop-");
    try {
      List<Path> dirs = new ArrayList<>();
      Map<String, String> model = new TreeMap<>();
      for (int i = 0; i < stack.size(); i++) {
        Path dir = work.resolve("layer" + i);
        write(stack.get(i), i, dir);
        dirs.add(dir);
        apply(stack.get(i), i, model);
      }
      RootfsMerger.merge(dirs, work.resolve("rootfs"));
      assertThat(read(work.resolve("rootfs"))).as("layers %s", stack).isEqualTo(model);
    } finally {
      FileTrees.delete(work);
    }
  }

  private static void write(Layer layer, int n, Path dir) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, String> e : layer.ops().entrySet()) {
      String path = e.getKey();
      Path p = dir.resolve(path);
      String parent = path.contains("/") ? path.substring(0, path.indexOf('/')) : null;
      if (!e.getValue().isEmpty() && parent != null) {
        Files.createDirectories(dir.resolve(parent));
      }
      switch (e.getValue()) {
        case "file" -> Files.writeString(p, "L" + n + ":" + path);
        case "dir" -> Files.createDirectories(p);
        case "whiteout" -> Files.writeString(p.resolveSibling(RootfsMerger.WHITEOUT + p.getFileName()), "");
        case "opaque" -> {
          Files.createDirectories(p);
          Files.writeString(p.resolve(RootfsMerger.OPAQUE), "");
        }
        default -> { }
      }
    }
  }

  /** The model: what the layer rules say the rootfs holds after {@code layer}. */
  private static void apply(Layer layer, int n, Map<String, String> model) {
    Map<String, String> ops = layer.ops();
    for (String top : TOPS) { // whiteouts and opaque directories act on the lower layers
      String op = ops.get(top);
      if (op.equals("whiteout")) {
        removeTree(model, top);
      } else if (op.equals("opaque")) {
        model.keySet().removeIf(k -> k.startsWith(top + "/"));
      }
      for (String c : CHILDREN) {
        if (ops.get(top + "/" + c).equals("whiteout")) {
          removeTree(model, top + "/" + c);
        }
      }
    }
    for (String top : TOPS) {
      String op = ops.get(top);
      boolean childAdded = CHILDREN.stream().anyMatch(c -> !ops.get(top + "/" + c).isEmpty());
      if (op.equals("file")) {
        removeTree(model, top);
        model.put(top, "L" + n + ":" + top);
      } else if (op.equals("dir") || op.equals("opaque") || childAdded) {
        if (!DIR.equals(model.get(top))) {
          model.remove(top);
          model.put(top, DIR);
        }
      }
      for (String c : CHILDREN) {
        if (ops.get(top + "/" + c).equals("file")) {
          model.put(top + "/" + c, "L" + n + ":" + top + "/" + c);
        }
      }
    }
  }

  private static void removeTree(Map<String, String> model, String path) {
    model.remove(path);
    model.keySet().removeIf(k -> k.startsWith(path + "/"));
  }

  private static Map<String, String> read(Path rootfs) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(rootfs)) {
      s.filter(p -> !p.equals(rootfs)).forEach(p -> {
        String rel = rootfs.relativize(p).toString();
        try {
          out.put(rel, Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? DIR : Files.readString(p));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
    return out;
  }
}
