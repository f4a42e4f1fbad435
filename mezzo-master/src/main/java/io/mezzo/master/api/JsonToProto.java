package io.mezzo.master.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes the protobuf wire bytes of a message straight from a Jackson tree in the protobuf JSON
 * mapping (the Mesos v1 JSON shapes), guided by the message's descriptor, with no message objects
 * in between: fields by proto name, enums by name or number, 64-bit integers as numbers or decimal
 * strings, bytes as base64, maps as objects. Unknown fields, unknown enum names and nulls are
 * skipped, as {@code JsonFormat.parser().ignoringUnknownFields()} does; a value of the wrong kind is
 * an {@link IllegalArgumentException} naming its path; absent required fields are reported by path.
 * Fields are written in the JSON's order and repeated scalars unpacked, both of which every
 * protobuf parser accepts. Several times faster than {@code JsonFormat} and {@code DynamicMessage}
 * (see {@code bench/protobuf-codec}), which matters because every event of a protobuf framework is
 * encoded on the master loop. Thread-safe: its only state is a cache of field names per type.
 */
final class JsonToProto {
  private JsonToProto() {}

  /** Each message type's fields by name ({@code Descriptor.findFieldByName} builds a string per call). */
  private static final Map<Descriptor, Map<String, FieldDescriptor>> FIELDS = new ConcurrentHashMap<>();

  /** Where a value sits, built only as deep as messages go and rendered only for an error. */
  private record Loc(Loc parent, String name, int index) {
    static String render(Loc loc) {
      if (loc == null) {
        return "";
      }
      String up = render(loc.parent);
      return (up.isEmpty() ? "" : up + ".") + loc.name + (loc.index >= 0 ? "[" + loc.index + "]" : "");
    }
  }

  /**
   * The protobuf bytes of {@code json} as a {@code type} message. Required fields that are absent
   * are added to {@code missing} by path (the bytes are then those of a partial message).
   */
  static byte[] encode(Descriptor type, JsonNode json, List<String> missing) {
    ProtoWire out = new ProtoWire();
    message(out, type, json, null, missing);
    return out.toByteArray();
  }

  private static void message(ProtoWire out, Descriptor type, JsonNode json, Loc at, List<String> missing) {
    if (!json.isObject()) {
      throw new IllegalArgumentException((at == null ? "body" : Loc.render(at)) + ": " + json.getNodeType()
          + " (expected: an object)");
    }
    Map<String, FieldDescriptor> fields = FIELDS.computeIfAbsent(type, JsonToProto::fieldsByName);
    boolean[] present = new boolean[type.getFields().size()];
    for (Map.Entry<String, JsonNode> e : json.properties()) {
      FieldDescriptor field = fields.get(e.getKey());
      JsonNode value = e.getValue();
      if (field == null || value.isNull()) {
        continue;
      }
      if (field.isMapField()) {
        writeMap(out, field, value, new Loc(at, field.getName(), -1), missing);
      } else if (field.isRepeated()) {
        if (!value.isArray()) {
          throw new IllegalArgumentException(Loc.render(new Loc(at, field.getName(), -1)) + ": "
              + value.getNodeType() + " (expected: an array)");
        }
        for (int i = 0; i < value.size(); i++) {
          write(out, field, value.get(i), at, i, missing);
        }
      } else {
        present[field.getIndex()] = write(out, field, value, at, -1, missing);
      }
    }
    for (FieldDescriptor field : type.getFields()) {
      if (field.isRequired() && !present[field.getIndex()]) {
        missing.add(Loc.render(new Loc(at, field.getName(), -1)));
      }
    }
  }

  private static Map<String, FieldDescriptor> fieldsByName(Descriptor type) {
    Map<String, FieldDescriptor> byName = new HashMap<>();
    for (FieldDescriptor f : type.getFields()) {
      byName.put(f.getName(), f);
    }
    return Map.copyOf(byName);
  }

  private static void writeMap(ProtoWire out, FieldDescriptor field, JsonNode value, Loc at, List<String> missing) {
    if (!value.isObject()) {
      throw new IllegalArgumentException(Loc.render(at) + ": " + value.getNodeType() + " (expected: an object)");
    }
    Descriptor entryType = field.getMessageType();
    for (Map.Entry<String, JsonNode> e : value.properties()) {
      ObjectNode entry = JsonNodeFactory.instance.objectNode();
      entry.put("key", e.getKey());
      entry.set("value", e.getValue());
      int start = out.beginMessage(field.getNumber());
      message(out, entryType, entry, new Loc(at, e.getKey(), -1), missing);
      out.endMessage(start);
    }
  }

  /**
   * Writes one value of {@code field} (element {@code index} of it, or -1) of the message at
   * {@code parent}; false when it was skipped (an enum name not known here).
   */
  private static boolean write(ProtoWire out, FieldDescriptor field, JsonNode value, Loc parent, int index,
      List<String> missing) {
    int n = field.getNumber();
    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      int start = out.beginMessage(n);
      message(out, field.getMessageType(), value, new Loc(parent, field.getName(), index), missing);
      out.endMessage(start);
      return true;
    }
    Object v;
    try {
      v = scalar(value, field);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(Loc.render(new Loc(parent, field.getName(), index)) + ": "
          + e.getMessage(), e.getCause());
    }
    if (v == null) {
      return false;
    }
    switch (field.getType()) {
      case STRING -> out.bytes(n, ((String) v).getBytes(StandardCharsets.UTF_8));
      case BYTES -> out.bytes(n, ((ByteString) v).toByteArray());
      case BOOL -> out.varint(n, (Boolean) v ? 1 : 0);
      case ENUM -> out.varint(n, ((EnumValueDescriptor) v).getNumber()); // negative: sign-extended, as int32
      case INT32 -> out.varint(n, (Integer) v); // sign-extended to 64 bits, as protobuf does
      case UINT32 -> out.varint(n, Integer.toUnsignedLong((Integer) v));
      case SINT32 -> out.varint(n, Integer.toUnsignedLong(((Integer) v << 1) ^ ((Integer) v >> 31)));
      case INT64, UINT64 -> out.varint(n, (Long) v);
      case SINT64 -> out.varint(n, ((Long) v << 1) ^ ((Long) v >> 63));
      case DOUBLE -> out.fixed64(n, Double.doubleToRawLongBits((Double) v));
      case FIXED64, SFIXED64 -> out.fixed64(n, (Long) v);
      case FLOAT -> out.fixed32(n, Float.floatToRawIntBits((Float) v));
      case FIXED32, SFIXED32 -> out.fixed32(n, (Integer) v);
      default -> throw new IllegalArgumentException(Loc.render(new Loc(parent, field.getName(), index))
          + ": field type " + field.getType() + " (expected: a type of the Mesos v1 messages)");
    }
    return true;
  }

  /** The Java value of a scalar {@code field}, or null to skip it (an enum name not known here). */
  private static Object scalar(JsonNode value, FieldDescriptor field) {
    try {
      switch (field.getJavaType()) {
        case STRING:
          if (value.isTextual()) {
            return value.textValue();
          }
          break;
        case BOOLEAN:
          if (value.isBoolean()) {
            return value.booleanValue();
          }
          break;
        case DOUBLE:
          if (value.isNumber()) {
            return value.doubleValue();
          }
          if (value.isTextual()) {
            return Double.parseDouble(value.textValue());
          }
          break;
        case FLOAT:
          if (value.isNumber()) {
            return value.floatValue();
          }
          if (value.isTextual()) {
            return Float.parseFloat(value.textValue());
          }
          break;
        case INT:
          if (value.isIntegralNumber() && value.canConvertToInt()) {
            return value.intValue();
          }
          if (value.isIntegralNumber() && unsigned(field) && value.canConvertToLong()
              && value.longValue() >= 0 && value.longValue() <= 0xffff_ffffL) {
            return (int) value.longValue(); // uint32 above Integer.MAX_VALUE
          }
          if (value.isTextual()) {
            return unsigned(field) ? Integer.parseUnsignedInt(value.textValue()) : Integer.parseInt(value.textValue());
          }
          break;
        case LONG:
          if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.longValue();
          }
          if (value.isIntegralNumber() && unsigned(field) && value.bigIntegerValue().signum() >= 0
              && value.bigIntegerValue().bitLength() <= 64) {
            return value.bigIntegerValue().longValue(); // uint64 above Long.MAX_VALUE
          }
          if (value.isTextual()) {
            return unsigned(field) ? Long.parseUnsignedLong(value.textValue()) : Long.parseLong(value.textValue());
          }
          break;
        case BYTE_STRING:
          if (value.isTextual()) {
            String text = value.textValue();
            boolean urlSafe = text.indexOf('-') >= 0 || text.indexOf('_') >= 0;
            return ByteString.copyFrom((urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text));
          }
          break;
        case ENUM:
          EnumValueDescriptor v = null;
          if (value.isTextual()) {
            v = field.getEnumType().findValueByName(value.textValue());
          } else if (value.isIntegralNumber()) {
            v = field.getEnumType().findValueByNumber(value.intValue());
          } else {
            break;
          }
          return v; // null: a name this version of the message does not know, skipped
        default:
          break;
      }
    } catch (IllegalArgumentException e) { // NumberFormatException and bad base64 among them
      throw new IllegalArgumentException("'" + value.asText() + "' (expected: " + expected(field) + ")", e);
    }
    throw new IllegalArgumentException(value.getNodeType() + " '" + value.asText() + "' (expected: "
        + expected(field) + ")");
  }

  private static boolean unsigned(FieldDescriptor field) {
    return switch (field.getType()) {
      case UINT32, UINT64, FIXED32, FIXED64 -> true;
      default -> false;
    };
  }

  private static String expected(FieldDescriptor field) {
    return switch (field.getJavaType()) {
      case BYTE_STRING -> "base64 bytes";
      case ENUM -> "a " + field.getEnumType().getName() + " name";
      default -> "a " + field.getType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

}
