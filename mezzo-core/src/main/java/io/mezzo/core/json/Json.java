package io.mezzo.core.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The one JSON mapping Mezzo uses on the wire: snake_case field names as in Mesos v1, absent fields
 * omitted, unknown fields ignored (Mesos clients send many optional fields), integers accepted as
 * numbers or as decimal strings (the protobuf JSON form of 64-bit integers, which clients printing
 * with protobuf's {@code JsonFormat} send); no other coercions. Reading errors are turned into
 * {@link BadJsonException}s that name the field, for HTTP 400 bodies.
 *
 * <p>Thread-safe: the mapper is configured once and shared.
 */
public final class Json {
  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .serializationInclusion(JsonInclude.Include.NON_NULL)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      // Mesos and the proto3 JSON mapping write 64-bit integers as strings ("31000"); accept both
      .withCoercionConfig(LogicalType.Integer,
          c -> c.setCoercion(CoercionInputShape.String, CoercionAction.TryConvert))
      .build();

  private Json() {}

  /** Reads {@code bytes} as {@code type}; a malformed or mistyped body becomes a {@link BadJsonException}. */
  public static <T> T read(byte[] bytes, Class<T> type) {
    try {
      T value = MAPPER.readValue(bytes, type);
      if (value == null) {
        throw new BadJsonException("body: null (expected: a JSON object)");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new BadJsonException(describe(e), e);
    } catch (IOException e) {
      // bytes in memory: the only I/O failure left is text Jackson cannot decode (bad UTF-16/32)
      throw new BadJsonException("malformed JSON: " + e.getMessage() + " (expected: UTF-8 JSON text)", e);
    }
  }

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("BUG: cannot serialize " + value.getClass().getName(), e);
    }
  }

  public static String writeString(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("BUG: cannot serialize " + value.getClass().getName(), e);
    }
  }

  /** A one-line description naming the JSON path of the problem, such as {@code type: 'FOO' (expected: one of [...])}. */
  public static String describe(JsonProcessingException e) {
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      String path = m.getPath().stream()
          .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
          .collect(Collectors.joining())
          .replaceFirst("^\\.", "");
      if (e instanceof InvalidFormatException f) {
        String expected = f.getTargetType() != null && f.getTargetType().isEnum()
            ? "one of " + Arrays.toString(f.getTargetType().getEnumConstants())
            : f.getTargetType() == null ? "another value" : f.getTargetType().getSimpleName();
        return path + ": '" + f.getValue() + "' (expected: " + expected + ")";
      }
      Throwable cause = e.getCause();
      if (cause instanceof IllegalArgumentException iae) {
        return path + ": " + iae.getMessage();
      }
      return path + ": " + e.getOriginalMessage();
    }
    return "malformed JSON: " + e.getOriginalMessage();
  }

  /** A request body that is not valid JSON or does not fit the expected shape. */
  public static final class BadJsonException extends IllegalArgumentException {
    public BadJsonException(String message) {
      super(message);
    }

    public BadJsonException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
