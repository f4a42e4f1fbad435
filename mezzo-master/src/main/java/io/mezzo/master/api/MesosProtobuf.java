package io.mezzo.master.api;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.mezzo.core.http.HttpError;
import com.google.protobuf.util.JsonFormat;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Transcodes one message between the Mesos v1 protobuf wire format ({@code application/x-protobuf})
 * and Mezzo's JSON, which has the Mesos v1 JSON shape: protobuf's JSON mapping with the proto field
 * names (enums by name, bytes as base64, 64-bit integers as decimal strings or numbers). The mapping
 * itself is protobuf's {@link JsonFormat}; this class only picks the message type and turns failures
 * into errors that name the type and the problem.
 *
 * <p>The message type is given by its descriptor (from a class of {@code org.apache.mesos:mesos}), so
 * the same code serves the scheduler and the operator APIs. Messages are {@link DynamicMessage}s,
 * parsed by the protobuf runtime, never by the generated classes: those were generated with
 * protobuf 3.5, and their own parsing code is open to the garbage-collection denial of service fixed
 * in protobuf 3.21.7 (CVE-2022-3171) whatever the runtime. Stateless and thread-safe.
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
      throw HttpError.badRequest("body: " + type.getFullName() + " cannot be shown as JSON (" + e.getMessage() + ")");
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
    DynamicMessage.Builder message = DynamicMessage.newBuilder(type);
    try {
      PARSER.merge(new String(json, StandardCharsets.UTF_8), message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("JSON does not fit " + type.getFullName() + ": " + e.getMessage(), e);
    }
    List<String> missing = message.findInitializationErrors();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(type.getFullName() + ": required field(s) missing: " + missing
          + " (expected: present)");
    }
    return message.build().toByteArray();
  }
}
