package io.mezzo.master.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mezzo.core.json.Json;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Hostile edits of valid JSON documents for the fuzz tests: each {@link Edit} picks a node of the
 * document by index (in depth-first order, so shrinking moves towards the root) and replaces it with a
 * {@link Hostile} value, removes it, or adds an unknown field next to it; a {@link Corruption} then
 * damages the bytes (truncation, invalid UTF-8, a bare {@code NaN}). Everything is generated from
 * small integers and enums, so jqwik shrinks a failure to a short list of simple edits, and each
 * record prints readably. {@link #mutations()} uses the hostile values of any API; {@link #appMutations()}
 * adds those of app definitions (bad ids, constraint garbage, huge labels) for the services API's tests,
 * which get this class from this module's test jar.
 */
public final class JsonMutations {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String RAW_NAN = "__raw_NaN__";
  private static final String RAW_DEEP = "__raw_deep__";
  /** Deeper than any parser should follow (Jackson stops at 1000); written as text, as no writer would. */
  private static final String DEEP = "[".repeat(5000) + "1" + "]".repeat(5000);

  private JsonMutations() {}

  /** A value no sane client sends where a field is expected. */
  public enum Hostile {
    NULL, TRUE, ZERO, MINUS_ONE, LONG_MIN, LONG_MAX, HUGE_DOUBLE, NEGATIVE_HUGE_DOUBLE, TINY_DOUBLE, BIG_INTEGER,
    BIG_DECIMAL, BARE_NAN, EMPTY_STRING, STRING_NAN, STRING_MINUS_ONE, STRING_HUGE_NUMBER, STRING_HUGE_DURATION,
    HUGE_STRING, NUL_CHARS, PATH_TRAVERSAL, UNKNOWN_ENUM, EMPTY_ARRAY, EMPTY_OBJECT, HUGE_ARRAY, DEEP_NESTING,
    ARRAY_OF_NULLS, OBJECT_WITH_ODD_KEYS, BAD_ID, DOT_DOT_ID, UPPER_CASE_ID, CONSTRAINT_GARBAGE, HUGE_LABELS;

    JsonNode node() {
      return switch (this) {
        case NULL -> F.nullNode();
        case TRUE -> F.booleanNode(true);
        case ZERO -> F.numberNode(0);
        case MINUS_ONE -> F.numberNode(-1);
        case LONG_MIN -> F.numberNode(Long.MIN_VALUE);
        case LONG_MAX -> F.numberNode(Long.MAX_VALUE);
        case HUGE_DOUBLE -> F.numberNode(1e308);
        case NEGATIVE_HUGE_DOUBLE -> F.numberNode(-1e308);
        case TINY_DOUBLE -> F.numberNode(4.9e-324);
        case BIG_INTEGER -> F.numberNode(BigInteger.TEN.pow(40));
        case BIG_DECIMAL -> F.numberNode(new BigDecimal("1e400"));
        case BARE_NAN -> F.textNode(RAW_NAN);
        case EMPTY_STRING -> F.textNode("");
        case STRING_NAN -> F.textNode("NaN");
        case STRING_MINUS_ONE -> F.textNode("-1");
        case STRING_HUGE_NUMBER -> F.textNode("99999999999999999999999");
        case STRING_HUGE_DURATION -> F.textNode("99999999999999999999s");
        case HUGE_STRING -> F.textNode("x".repeat(200_000));
        case NUL_CHARS -> F.textNode("a\u0000b\u0001\uFFFF\uD800");
        case PATH_TRAVERSAL -> F.textNode("../../../etc/passwd");
        case UNKNOWN_ENUM -> F.textNode("NO_SUCH_VALUE");
        case EMPTY_ARRAY -> F.arrayNode();
        case EMPTY_OBJECT -> F.objectNode();
        case HUGE_ARRAY -> {
          ArrayNode a = F.arrayNode();
          for (int i = 0; i < 20_000; i++) {
            a.add(i);
          }
          yield a;
        }
        case DEEP_NESTING -> F.textNode(RAW_DEEP);
        case ARRAY_OF_NULLS -> F.arrayNode().addNull().addNull();
        case OBJECT_WITH_ODD_KEYS -> F.objectNode().put("", 1).put("type", "NO_SUCH_VALUE").put("\u0000", "x");
        case BAD_ID -> F.textNode("/fuzz/bad id!*?");
        case DOT_DOT_ID -> F.textNode("/fuzz/../../etc");
        case UPPER_CASE_ID -> F.textNode("/Fuzz/UPPER");
        case CONSTRAINT_GARBAGE -> F.arrayNode().add(F.arrayNode().add("hostname").add("NO_SUCH_OPERATOR"))
            .add(F.arrayNode().add(1).add(F.objectNode())).add(F.arrayNode()).add("hostname:UNIQUE")
            .add(F.arrayNode().add("hostname").add("CLUSTER").add("a").add("b").add("c"))
            .add(F.arrayNode().add("hostname").add("LIKE").add("(unclosed"))
            .add(F.arrayNode().add("hostname").add("GROUP_BY").add("-5"))
            .add(F.arrayNode().add("hostname").add("MAX_PER").add("99999999999999999999"));
        case HUGE_LABELS -> {
          ObjectNode o = F.objectNode();
          for (int i = 0; i < 20_000; i++) {
            o.put("label-" + i, "v".repeat(20));
          }
          yield o;
        }
      };
    }
  }

  /** What an edit does at its node. */
  public enum Action { REPLACE, REMOVE, ADD_UNKNOWN_FIELD }

  /** Damage to the serialized bytes. */
  public enum Corruption { NONE, TRUNCATE, INVALID_UTF8, OVERLONG_UTF8, UTF32_BOM }

  /** One edit at the {@code at}-th node (modulo the node count). */
  public record Edit(int at, Action action, Hostile value) {}

  /** A whole mutation: edits applied in order, then a corruption at byte {@code corruptAt} (modulo the size). */
  public record Mutation(List<Edit> edits, Corruption corruption, int corruptAt) {}

  /** The values every API must refuse politely: all but the app-definition ones. */
  private static final List<Hostile> GENERIC = List.of(Hostile.values()).subList(0, Hostile.BAD_ID.ordinal());

  /** Mutations with the hostile values of any API. */
  public static Arbitrary<Mutation> mutations() {
    return mutations(GENERIC);
  }

  /** Mutations with the hostile values of app definitions too. */
  public static Arbitrary<Mutation> appMutations() {
    return mutations(List.of(Hostile.values()));
  }

  private static Arbitrary<Mutation> mutations(List<Hostile> values) {
    Arbitrary<Edit> edit = Combinators.combine(Arbitraries.integers().between(0, 200),
        Arbitraries.of(Action.class), Arbitraries.of(values)).as(Edit::new);
    Arbitrary<Corruption> corruption = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, Arbitraries.just(Corruption.NONE)),
        net.jqwik.api.Tuple.of(2, Arbitraries.of(Corruption.class)));
    return Combinators.combine(edit.list().ofMinSize(1).ofMaxSize(4), corruption,
        Arbitraries.integers().between(0, 10_000)).as(Mutation::new);
  }

  /** {@code template} (left untouched) with {@code m} applied, as bytes to send. */
  public static byte[] apply(JsonNode template, Mutation m) {
    JsonNode doc = template.deepCopy();
    for (Edit e : m.edits()) {
      doc = edit(doc, e);
    }
    byte[] bytes = Json.write(doc);
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (text.contains(RAW_NAN) || text.contains(RAW_DEEP)) {
      bytes = text.replace("\"" + RAW_NAN + "\"", "NaN").replace("\"" + RAW_DEEP + "\"", DEEP)
          .getBytes(StandardCharsets.UTF_8);
    }
    return corrupt(bytes, m.corruption(), m.corruptAt());
  }

  private static JsonNode edit(JsonNode doc, Edit e) {
    List<JsonNode[]> slots = new ArrayList<>(); // {parent, node, key-or-index as text}
    collect(null, doc, null, slots);
    JsonNode[] slot = slots.get(e.at() % slots.size());
    JsonNode parent = slot[0];
    String key = slot[2] == null ? null : slot[2].asText();
    if (parent == null) { // the root
      return switch (e.action()) {
        case REPLACE -> e.value().node();
        case REMOVE -> F.objectNode();
        case ADD_UNKNOWN_FIELD -> doc.isObject() ? ((ObjectNode) doc).set("no_such_field", e.value().node()) : doc;
      };
    }
    if (parent instanceof ObjectNode o) {
      switch (e.action()) {
        case REPLACE -> o.set(key, e.value().node());
        case REMOVE -> o.remove(key);
        case ADD_UNKNOWN_FIELD -> o.set("no_such_field_" + key, e.value().node());
      }
    } else if (parent instanceof ArrayNode a) {
      int i = Integer.parseInt(key);
      switch (e.action()) {
        case REPLACE -> a.set(i, e.value().node());
        case REMOVE -> a.remove(i);
        case ADD_UNKNOWN_FIELD -> a.add(e.value().node());
      }
    }
    return doc;
  }

  private static void collect(JsonNode parent, JsonNode node, JsonNode key, List<JsonNode[]> out) {
    out.add(new JsonNode[] {parent, node, key});
    if (node.isObject()) {
      node.fields().forEachRemaining(f -> collect(node, f.getValue(), F.textNode(f.getKey()), out));
    } else if (node.isArray() && node.size() <= 100) {
      for (int i = 0; i < node.size(); i++) {
        collect(node, node.get(i), F.textNode(Integer.toString(i)), out);
      }
    }
  }

  private static byte[] corrupt(byte[] bytes, Corruption c, int at) {
    int i = bytes.length == 0 ? 0 : at % bytes.length;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    switch (c) {
      case NONE -> {
        return bytes;
      }
      case TRUNCATE -> out.write(bytes, 0, i);
      case INVALID_UTF8, OVERLONG_UTF8 -> {
        out.write(bytes, 0, i);
        byte[] bad = c == Corruption.INVALID_UTF8 ? new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF}
            : new byte[] {(byte) 0xC0, (byte) 0xAF};
        out.write(bad, 0, bad.length);
        out.write(bytes, i, bytes.length - i);
      }
      case UTF32_BOM -> {
        out.write(new byte[] {0, 0, (byte) 0xFE, (byte) 0xFF}, 0, 4);
        out.write(bytes, 0, bytes.length);
      }
    }
    return out.toByteArray();
  }

  /** A short description of a body for assertion messages (huge bodies cut). */
  public static String show(byte[] body) {
    String s = new String(body, StandardCharsets.UTF_8);
    return s.length() > 600 ? s.substring(0, 600) + "...(" + body.length + " bytes)" : s;
  }
}
