package io.mezzo.master.api;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.mezzo.core.http.HttpError;
import io.mezzo.core.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Transcodes one message between the Mesos v1 protobuf wire format ({@code application/x-protobuf})
 * and Mezzo's JSON, which has the Mesos v1 JSON shape (the protobuf JSON mapping with proto field
 * names: enums by name, bytes as standard base64, 64-bit integers as numbers or decimal strings).
 * {@link ProtoToJson} prints, {@link JsonToProto} writes wire bytes straight from a JSON tree; both
 * are checked against protobuf's own {@code JsonFormat} in tests, and are faster (events are encoded
 * on the master loop).
 *
 * <p>The message type is given by its descriptor (from a class of {@code org.apache.mesos:mesos}), so
 * the same code serves the scheduler and the operator APIs. Incoming bytes are parsed as
 * {@link DynamicMessage}s by the protobuf runtime, never by the generated classes: those were
 * generated with protobuf 3.5, and their own parsing code is open to the garbage-collection denial
 * of service fixed in protobuf 3.21.7 (CVE-2022-3171) whatever the runtime. Stateless and
 * thread-safe.
 */
public final class MesosProtobuf {
  /** The protobuf media type of the Mesos v1 HTTP APIs. */
  public static final String CONTENT_TYPE = "application/x-protobuf";

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
    return ProtoToJson.print(message);
  }

  /**
   * Reads {@code json} into a {@code type} message (unknown fields and unknown enum names ignored)
   * and returns its protobuf bytes.
   *
   * @throws IllegalArgumentException naming the message type and the problem when the JSON does not
   *     fit the message or lacks one of its required fields
   */
  public static byte[] fromJson(Descriptor type, byte[] json) {
    List<String> missing = new ArrayList<>();
    byte[] protobuf;
    try {
      protobuf = JsonToProto.encode(type, Json.MAPPER.readTree(json), missing);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("JSON does not fit " + type.getFullName() + ": " + e.getMessage(), e);
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(type.getFullName() + ": required field(s) missing: " + missing
          + " (expected: present)");
    }
    return protobuf;
  }
}
