package io.mezzo.master.api;

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
 * <p>The message type is given by a prototype (a default instance of a class from
 * {@code org.apache.mesos:mesos}), so the same code serves the scheduler and the operator APIs.
 * Stateless and thread-safe.
 */
public final class MesosProtobuf {
  /** The protobuf media type of the Mesos v1 HTTP APIs. */
  public static final String CONTENT_TYPE = "application/x-protobuf";

  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

  private MesosProtobuf() {}

  /**
   * Parses {@code protobuf} as a {@code prototype} message (its required fields included) and
   * prints it as JSON.
   *
   * @throws HttpError a 400 naming the message type and the problem when the bytes do not parse
   */
  public static byte[] toJson(Message prototype, byte[] protobuf) {
    Message message;
    try {
      message = prototype.getParserForType().parseFrom(protobuf);
    } catch (InvalidProtocolBufferException e) {
      throw HttpError.badRequest("body: not a " + prototype.getDescriptorForType().getFullName()
          + " protobuf message (" + e.getMessage() + ")");
    }
    try {
      return PRINTER.print(message).getBytes(StandardCharsets.UTF_8);
    } catch (InvalidProtocolBufferException e) {
      // only Any fields with unknown type URLs fail to print; the Mesos v1 messages have none
      throw HttpError.badRequest("body: cannot print " + prototype.getDescriptorForType().getFullName()
          + " as JSON (" + e.getMessage() + ")");
    }
  }

  /**
   * Reads {@code json} into a {@code prototype} message (unknown fields ignored) and returns its
   * protobuf bytes.
   *
   * @throws IllegalArgumentException naming the message type and the problem when the JSON does not
   *     fit the message or lacks one of its required fields
   */
  public static byte[] fromJson(Message prototype, byte[] json) {
    return parseJson(prototype, json).toByteArray();
  }

  /** Like {@link #fromJson}, returning the message. */
  public static Message parseJson(Message prototype, byte[] json) {
    Message.Builder builder = prototype.newBuilderForType();
    String type = prototype.getDescriptorForType().getFullName();
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
