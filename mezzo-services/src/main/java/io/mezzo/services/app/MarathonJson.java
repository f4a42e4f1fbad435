package io.mezzo.services.app;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The JSON mapping of the {@code /v2} API: Marathon's camelCase field names (not Mezzo's snake_case
 * {@code io.mezzo.core.json.Json}), absent fields omitted on output. Reading an app goes through
 * {@link AppValidator}, which walks the tree itself so that every bad field is reported with its path;
 * this mapper only turns trees and records into text.
 *
 * <p>Thread-safe: configured once and shared.
 */
public final class MarathonJson {
  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private MarathonJson() {}
}
