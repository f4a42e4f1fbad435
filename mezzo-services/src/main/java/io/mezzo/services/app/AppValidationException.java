package io.mezzo.services.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An app definition broke one or more rules. {@link #details()} maps each JSON pointer ({@code /cpus},
 * {@code /healthChecks/0/portIndex}) to its messages, in input order; {@link #toJson()} is the body of
 * Marathon's HTTP 422 answer: {@code {"message":"Object is not valid","details":[{"path":..,"errors":[..]}]}}.
 */
public final class AppValidationException extends RuntimeException {
  private final Map<String, List<String>> details;

  AppValidationException(Map<String, List<String>> details) {
    super("Object is not valid: " + details);
    this.details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  public Map<String, List<String>> details() {
    return details;
  }

  /** The 422 body, in Marathon's shape. */
  public String toJson() {
    ObjectNode body = MarathonJson.MAPPER.createObjectNode();
    body.put("message", "Object is not valid");
    ArrayNode array = body.putArray("details");
    details.forEach((path, errors) -> {
      ObjectNode detail = array.addObject();
      detail.put("path", path);
      errors.forEach(detail.putArray("errors")::add);
    });
    try {
      return MarathonJson.MAPPER.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("BUG: cannot print a tree we built", e);
    }
  }
}
