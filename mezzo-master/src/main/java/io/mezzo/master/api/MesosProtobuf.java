package io.mezzo.master.api;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UninitializedMessageException;
import com.google.protobuf.util.JsonFormat;
import io.mezzo.core.http.HttpError;
import java.nio.charset.StandardCharsets;

/**
 * Transcodes one message between the Mesos v1 protobuf wire format ({@code application/x-protobuf})
 * and Mezzo's JSON, which has the Mesos v1 JSON shape: proto field names, enums by name, 64-bit
 * integers as decimal strings (Mezzo's reader takes them), bytes as standard base64.
 *
 * <p>The message type is given by its descriptor (from a class of {@code org.apache.mesos:mesos}), so
 * the same code serves the scheduler and the operator APIs. Messages are {@link DynamicMessage}s
 * built by the protobuf runtime, never instances of the generated classes: those were generated
 * with protobuf 3.5, and their own parsing code is open to the garbage-collection denial of service
 * fixed in protobuf 3.21.7 (CVE-2022-3171) whatever the runtime. Stateless and thread-safe.
 */
public final class MesosProtobuf {
  /** The protobuf media type of the Mesos v1 HTTP APIs. */
  public static final String CONTENT_TYPE = "application/x-protobuf";

  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

  private MesosProtobuf() {}

  /**
   * Parses {@code protobuf} as a {@code type} message (its required fields included) and prints it
   * as JSON.
   *
   * @throws HttpError a 400 naming the message type and the problem when the bytes do not parse
   */
  public static byte[] toJson(Descriptor type, byte[] protobuf) {
    Message message;
    try {
      message = DynamicMessage.parseFrom(type, protobuf);
    } catch (InvalidProtocolBufferException e) {
      throw HttpError.badRequest("body: not a " + type.getFullName() + " protobuf message (" + e.getMessage() + ")");
    }
    try {
      return PRINTER.print(message).getBytes(StandardCharsets.UTF_8);
    } catch (InvalidProtocolBufferException e) {
      // only Any fields with unknown type URLs fail to print; the Mesos v1 messages have none
      throw HttpError.badRequest("body: cannot print " + type.getFullName() + " as JSON (" + e.getMessage() + ")");
    }
  }

  /**
   * Reads {@code json} into a {@code type} message (unknown fields and unknown enum names ignored)
   * and returns its protobuf bytes.
   *
   * @throws IllegalArgumentException naming the message type and the problem when the JSON does not
   *     fit the message or lacks one of its required fields
   */
  public static byte[] fromJson(Descriptor type, byte[] json) {
    return parseJson(type, json).toByteArray();
  }

  /** Like {@link #fromJson}, returning the message. */
  static DynamicMessage parseJson(Descriptor descriptor, byte[] json) {
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(descriptor);
    String type = descriptor.getFullName();
    try {
      PARSER.merge(new String(json, StandardCharsets.UTF_8), builder);
      return builder.build();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("JSON does not fit " + type + ": " + e.getMessage(), e);
    } catch (UninitializedMessageException e) {
      throw new IllegalArgumentException(type + ": required field(s) missing: "
          + e.getMissingFields() + " (expected: present)", e);
    } catch (RuntimeException e) {
      // JsonFormat reports malformed JSON and mistyped values with gson's unchecked exceptions
      throw new IllegalArgumentException("JSON does not fit " + type + ": " + e.getMessage(), e);
    }
  }
}
