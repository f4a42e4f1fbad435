package io.mezzo.services.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.mezzo.services.app.AppDefinition;
import io.mezzo.services.app.AppValidationException;
import io.mezzo.services.app.AppValidator;
import io.mezzo.services.app.MarathonJson;
import io.mezzo.services.deploy.Deployment;
import io.mezzo.services.instance.Instance;
import io.mezzo.services.instance.InstanceState;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Format 1 of what the services store keeps in each node: the JSON envelope
 * {@code {"format":1,"kind":"app|version|deployment|instance|framework","data":...}}.
 *
 * <ul>
 *   <li>{@code app} and {@code version}: the app in Marathon's JSON ({@link MarathonJson#MAPPER}) plus
 *       its {@code "version"}; read back through {@link AppValidator}, so a stored app is valid by
 *       construction (the validator ignores {@code version}, a read-only field of Marathon's answers).
 *   <li>{@code deployment}, {@code instance}: the record's fields in camelCase, instants as ISO-8601
 *       strings, enums by name, null fields left out.
 *   <li>{@code framework}: the framework id as a JSON string.
 * </ul>
 *
 * <p>Fields a reader does not know are ignored, so that a later release may add optional fields
 * within format 1; any change that an older reader would misread needs format 2, and an older
 * reader refuses it ("stored format 2 (expected: 1); upgrade Mezzo"). Pure; thread-safe.
 */
final class StoredFormat {
  static final int FORMAT = 1;

  /** Node kinds, by their stored names. */
  enum Kind {
    APP, VERSION, DEPLOYMENT, INSTANCE, FRAMEWORK;

    String stored() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private StoredFormat() {}

  static byte[] wrap(Kind kind, JsonNode data) {
    ObjectNode envelope = MAPPER.createObjectNode();
    envelope.put("format", FORMAT);
    envelope.put("kind", kind.stored());
    envelope.set("data", data);
    try {
      return MAPPER.writeValueAsBytes(envelope);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("BUG: cannot print a tree we built", e);
    }
  }

  /** The {@code data} of the envelope at {@code path}, after checking its format and kind. */
  static JsonNode unwrap(String path, byte[] bytes, Kind expected) {
    JsonNode envelope;
    try {
      envelope = MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new StoreException("zk: " + path + ": not JSON (" + e.getMessage() + ")", e);
    }
    if (envelope == null || !envelope.isObject()) {
      throw new StoreException("zk: " + path + ": " + envelope + " (expected: a {\"format\":" + FORMAT
          + ",\"kind\":..,\"data\":..} object)");
    }
    JsonNode format = envelope.get("format");
    if (format == null || !format.isIntegralNumber()) {
      throw new StoreException("zk: " + path + ": format: " + format + " (expected: " + FORMAT + ")");
    }
    if (format.intValue() != FORMAT) {
      throw new StoreException("zk: " + path + ": stored format " + format.asText() + " (expected: " + FORMAT
          + "); upgrade Mezzo");
    }
    String kind = envelope.path("kind").asText(null);
    if (!expected.stored().equals(kind)) {
      throw new StoreException("zk: " + path + ": kind: " + envelope.get("kind") + " (expected: \""
          + expected.stored() + "\")");
    }
    JsonNode data = envelope.get("data");
    if (data == null || data.isNull()) {
      throw new StoreException("zk: " + path + ": data: missing (expected: the " + kind + ")");
    }
    return data;
  }

  static JsonNode app(AppDefinition app, String version, String configVersion) {
    ObjectNode tree = MarathonJson.MAPPER.valueToTree(app);
    tree.put("version", version);
    tree.putObject("versionInfo").put("lastConfigChangeAt", configVersion);
    return tree;
  }

  static StoredApp readApp(String path, JsonNode data) {
    JsonNode version = data.get("version");
    if (version == null || !version.isTextual()) {
      throw new StoreException("zk: " + path + ": version: " + version + " (expected: a version string)");
    }
    try {
      JsonNode config = data.path("versionInfo").get("lastConfigChangeAt");
      return new StoredApp(AppValidator.readStored(data), version.textValue(),
          config != null && config.isTextual() ? config.textValue() : version.textValue());
    } catch (AppValidationException e) {
      throw new StoreException("zk: " + path + ": the stored app is not valid: " + e.details(), e);
    } catch (RuntimeException e) {
      throw new StoreException("zk: " + path + ": BUG: the app validator failed on the stored app: " + e, e);
    }
  }

  static JsonNode framework(String id) {
    return TextNode.valueOf(id);
  }

  static String readFramework(String path, JsonNode data) {
    if (!data.isTextual() || data.textValue().isEmpty()) {
      throw new StoreException("zk: " + path + ": data: " + data + " (expected: a framework id string)");
    }
    return data.textValue();
  }

  /** The stored shape of a {@link Deployment}. */
  record DeploymentDoc(String id, String appId, String action, String fromVersion, String toVersion,
      String startedAt, String forcedFrom) {}

  static JsonNode deployment(Deployment d) {
    return MAPPER.valueToTree(new DeploymentDoc(d.id(), d.appId(), d.action().name(), d.fromVersion(),
        d.toVersion(), text(d.startedAt()), d.forcedFrom()));
  }

  static Deployment readDeployment(String path, JsonNode data) {
    DeploymentDoc doc = read(path, data, DeploymentDoc.class);
    try {
      return new Deployment(doc.id(), doc.appId(), enumValue(path, "action", doc.action(), Deployment.Action.class),
          doc.fromVersion(), doc.toVersion(), instant(path, "startedAt", doc.startedAt()), doc.forcedFrom());
    } catch (NullPointerException e) {
      throw new StoreException("zk: " + path + ": " + e.getMessage() + ": missing (expected: a value)", e);
    }
  }

  /** The stored shape of an {@link Instance}. */
  record InstanceDoc(String instanceId, String appId, String version, String agentId, String host,
      List<Integer> ports, String state, Boolean healthy, String stagedAt, String startedAt, String stateSince,
      String message) {}

  static JsonNode instance(Instance i) {
    return MAPPER.valueToTree(new InstanceDoc(i.instanceId(), i.appId(), i.version(), i.agentId(), i.host(),
        i.ports(), i.state().name(), i.healthy(), text(i.stagedAt()), text(i.startedAt()), text(i.stateSince()),
        i.message()));
  }

  static Instance readInstance(String path, JsonNode data) {
    InstanceDoc doc = read(path, data, InstanceDoc.class);
    if (doc.ports() != null && doc.ports().contains(null)) {
      throw new StoreException("zk: " + path + ": ports: " + doc.ports() + " (expected: port numbers)");
    }
    try {
      return new Instance(doc.instanceId(), doc.appId(), doc.version(), doc.agentId(), doc.host(), doc.ports(),
          enumValue(path, "state", doc.state(), InstanceState.class), doc.healthy(),
          instant(path, "stagedAt", doc.stagedAt()), instant(path, "startedAt", doc.startedAt()),
          instant(path, "stateSince", doc.stateSince()), doc.message());
    } catch (NullPointerException e) {
      throw new StoreException("zk: " + path + ": " + e.getMessage() + ": missing (expected: a value)", e);
    }
  }

  private static <T> T read(String path, JsonNode data, Class<T> type) {
    try {
      return MAPPER.treeToValue(data, type);
    } catch (JsonProcessingException e) {
      throw new StoreException("zk: " + path + ": cannot read " + type.getSimpleName() + ": "
          + e.getOriginalMessage(), e);
    }
  }

  private static String text(Instant at) {
    return at == null ? null : at.toString();
  }

  private static Instant instant(String path, String field, String value) {
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new StoreException("zk: " + path + ": " + field + ": \"" + value
          + "\" (expected: an ISO-8601 instant such as 2026-11-27T05:30:00.123Z)", e);
    }
  }

  private static <E extends Enum<E>> E enumValue(String path, String field, String value, Class<E> type) {
    if (value == null) {
      return null; // the record's constructor names the missing field
    }
    try {
      return Enum.valueOf(type, value);
    } catch (IllegalArgumentException e) {
      throw new StoreException("zk: " + path + ": " + field + ": \"" + value + "\" (expected: one of "
          + Arrays.toString(type.getEnumConstants()) + ")", e);
    }
  }
}
