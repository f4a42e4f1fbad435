package io.mezzo.master.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.mezzo.core.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Prints a protobuf message as JSON in the Mesos v1 shapes, the protobuf JSON mapping with proto
 * field names: set fields only, in field-number order; enums by name (by number when this version
 * of the message does not know it); bytes as standard base64; maps as objects; 64-bit integers as
 * JSON numbers (uint64 above the signed range too), which Mesos prints and Mezzo's reader takes;
 * non-finite doubles as the strings {@code "NaN"} and {@code "Infinity"}. Unknown fields are dropped.
 * Stateless.
 */
final class ProtoToJson {
  private ProtoToJson() {}

  static byte[] print(Message message) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (JsonGenerator out = Json.MAPPER.getFactory().createGenerator(bytes)) {
      message(out, message);
    } catch (IOException e) {
      throw new UncheckedIOException("BUG: writing JSON to memory failed", e);
    }
    return bytes.toByteArray();
  }

  private static void message(JsonGenerator out, Message message) throws IOException {
    out.writeStartObject();
    for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
      FieldDescriptor field = e.getKey();
      out.writeFieldName(field.getName());
      if (field.isMapField()) {
        FieldDescriptor key = field.getMessageType().findFieldByName("key");
        FieldDescriptor value = field.getMessageType().findFieldByName("value");
        out.writeStartObject();
        for (Object o : (List<?>) e.getValue()) {
          Message entry = (Message) o;
          out.writeFieldName(String.valueOf(entry.getField(key)));
          value(out, value, entry.getField(value));
        }
        out.writeEndObject();
      } else if (field.isRepeated()) {
        out.writeStartArray();
        for (Object v : (List<?>) e.getValue()) {
          value(out, field, v);
        }
        out.writeEndArray();
      } else {
        value(out, field, e.getValue());
      }
    }
    out.writeEndObject();
  }

  private static void value(JsonGenerator out, FieldDescriptor field, Object v) throws IOException {
    switch (field.getType()) {
      case MESSAGE, GROUP -> message(out, (Message) v);
      case STRING -> out.writeString((String) v);
      case BOOL -> out.writeBoolean((Boolean) v);
      case BYTES -> out.writeString(Base64.getEncoder().encodeToString(((ByteString) v).toByteArray()));
      case ENUM -> {
        EnumValueDescriptor e = (EnumValueDescriptor) v;
        if (e.getIndex() >= 0 && e.getType().findValueByNumber(e.getNumber()) == e) {
          out.writeString(e.getName());
        } else {
          out.writeNumber(e.getNumber()); // a number this version of the enum does not name
        }
      }
      case DOUBLE -> number(out, (Double) v);
      case FLOAT -> number(out, ((Float) v).doubleValue());
      case UINT32, FIXED32 -> out.writeNumber(Integer.toUnsignedLong((Integer) v));
      case INT32, SINT32, SFIXED32 -> out.writeNumber((Integer) v);
      case UINT64, FIXED64 -> {
        long l = (Long) v;
        if (l >= 0) {
          out.writeNumber(l);
        } else {
          out.writeNumber(new java.math.BigInteger(Long.toUnsignedString(l)));
        }
      }
      case INT64, SINT64, SFIXED64 -> out.writeNumber((Long) v);
      default -> throw new IllegalStateException("BUG: protobuf field type " + field.getType());
    }
  }

  private static void number(JsonGenerator out, double d) throws IOException {
    if (Double.isNaN(d)) {
      out.writeString("NaN");
    } else if (Double.isInfinite(d)) {
      out.writeString(d > 0 ? "Infinity" : "-Infinity");
    } else {
      out.writeNumber(d);
    }
  }
}
