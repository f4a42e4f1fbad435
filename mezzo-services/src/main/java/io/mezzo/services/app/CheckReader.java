package io.mezzo.services.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads {@code healthChecks} and {@code readinessChecks} with Marathon's defaults and rules: a network
 * check names its port by {@code portIndex} (default 0) or {@code port}, not both, and the index must
 * name one of the app's ports; a COMMAND check needs {@code command.value} and takes no port or path;
 * at most one readiness check, whose {@code portName} must name one of the app's port definitions.
 */
final class CheckReader {
  private static final Set<String> READINESS_PROTOCOLS = Set.of("HTTP", "HTTPS");

  private CheckReader() {}

  static List<HealthCheck> healthChecks(JsonNode node, int portCount, Errors e) {
    List<HealthCheck> out = new ArrayList<>();
    List<JsonNode> items = e.array(node, "/healthChecks");
    for (int i = 0; i < items.size(); i++) {
      String path = "/healthChecks/" + i;
      JsonNode h = items.get(i);
      if (!h.isObject()) {
        e.add(path, "healthChecks/" + i + ": " + h + " (expected: an object)");
        continue;
      }
      String rawProtocol = e.text(h.get("protocol"), path + "/protocol", "HTTP");
      HealthCheck.Protocol protocol;
      try {
        protocol = HealthCheck.Protocol.valueOf(rawProtocol);
      } catch (IllegalArgumentException bad) {
        e.add(path + "/protocol", "protocol: \"" + rawProtocol
            + "\" (expected: HTTP, HTTPS, TCP, COMMAND, MESOS_HTTP, MESOS_HTTPS or MESOS_TCP)");
        continue;
      }
      int grace = e.integer(h.get("gracePeriodSeconds"), path + "/gracePeriodSeconds", 300, 0);
      int interval = e.integer(h.get("intervalSeconds"), path + "/intervalSeconds", 60, 1);
      int timeout = e.integer(h.get("timeoutSeconds"), path + "/timeoutSeconds", 20, 1);
      int failures = e.integer(h.get("maxConsecutiveFailures"), path + "/maxConsecutiveFailures", 3, 0);
      int delay = e.integer(h.get("delaySeconds"), path + "/delaySeconds", 15, 0);

      if (protocol == HealthCheck.Protocol.COMMAND) {
        JsonNode command = h.get("command");
        String value = command != null && command.isObject()
            ? e.text(command.get("value"), path + "/command/value", null) : null;
        if (value == null || value.isBlank()) {
          e.add(path + "/command", "command: " + command + " (expected: {\"value\": \"a shell command\"} for COMMAND checks)");
        }
        for (String field : List.of("path", "portIndex", "port", "ignoreHttp1xx")) {
          if (!Errors.absent(h.get(field))) {
            e.add(path + "/" + field, field + ": " + h.get(field) + " (expected: absent for COMMAND checks)");
          }
        }
        out.add(new HealthCheck(protocol, null, null, null, new HealthCheck.Command(value), grace, interval,
            timeout, failures, delay, null));
        continue;
      }
      if (!Errors.absent(h.get("command"))) {
        e.add(path + "/command", "command: " + h.get("command") + " (expected: absent for " + protocol + " checks)");
      }
      Integer port = Errors.absent(h.get("port")) ? null
          : (int) e.integer(h.get("port"), path + "/port", 0, 1, 65535);
      Integer portIndex;
      if (Errors.absent(h.get("portIndex"))) {
        portIndex = port == null ? Integer.valueOf(0) : null;
      } else {
        portIndex = (int) e.integer(h.get("portIndex"), path + "/portIndex", 0, 0);
      }
      if (port != null && !Errors.absent(h.get("portIndex"))) {
        e.add(path, "healthChecks/" + i + ": both port and portIndex (expected: one of them)");
      } else if (portIndex != null && portIndex >= portCount) {
        e.add(path + "/portIndex", "portIndex: " + portIndex + " (expected: < the app's " + portCount + " ports)");
      }
      String checkPath = null;
      if (protocol.usesPath()) {
        checkPath = e.text(h.get("path"), path + "/path", "/");
      } else if (!Errors.absent(h.get("path"))) {
        e.add(path + "/path", "path: " + h.get("path") + " (expected: absent for " + protocol + " checks)");
      }
      Boolean ignore1xx = protocol == HealthCheck.Protocol.HTTP || protocol == HealthCheck.Protocol.HTTPS
          ? e.bool(h.get("ignoreHttp1xx"), path + "/ignoreHttp1xx", false) : null;
      if (ignore1xx == null && !Errors.absent(h.get("ignoreHttp1xx"))) {
        e.add(path + "/ignoreHttp1xx", "ignoreHttp1xx: " + h.get("ignoreHttp1xx")
            + " (expected: absent for " + protocol + " checks; only HTTP and HTTPS checks have it)");
      }
      out.add(new HealthCheck(protocol, checkPath, portIndex, port, null, grace, interval, timeout, failures,
          delay, ignore1xx));
    }
    return out;
  }

  static List<ReadinessCheck> readinessChecks(JsonNode node, List<PortDefinition> ports, Errors e) {
    List<ReadinessCheck> out = new ArrayList<>();
    List<JsonNode> items = e.array(node, "/readinessChecks");
    if (items.size() > 1) {
      e.add("/readinessChecks", "readinessChecks: " + items.size() + " checks (expected: at most 1)");
    }
    for (int i = 0; i < items.size(); i++) {
      String path = "/readinessChecks/" + i;
      JsonNode r = items.get(i);
      if (!r.isObject()) {
        e.add(path, "readinessChecks/" + i + ": " + r + " (expected: an object)");
        continue;
      }
      String name = e.text(r.get("name"), path + "/name", "readinessCheck");
      String protocol = e.text(r.get("protocol"), path + "/protocol", "HTTP");
      if (!READINESS_PROTOCOLS.contains(protocol)) {
        e.add(path + "/protocol", "protocol: \"" + protocol + "\" (expected: HTTP or HTTPS)");
      }
      String checkPath = e.text(r.get("path"), path + "/path", "/");
      String portName = e.text(r.get("portName"), path + "/portName", null);
      if (portName == null || ports.stream().noneMatch(p -> portName.equals(p.name()))) {
        e.add(path + "/portName", "portName: " + (portName == null ? "missing" : "\"" + portName + "\"")
            + " (expected: the name of one of the app's portDefinitions)");
      }
      int interval = e.integer(r.get("intervalSeconds"), path + "/intervalSeconds", 30, 1);
      int timeout = e.integer(r.get("timeoutSeconds"), path + "/timeoutSeconds", 10, 1);
      if (timeout >= interval) {
        e.add(path + "/timeoutSeconds", "timeoutSeconds: " + timeout + " (expected: < intervalSeconds " + interval + ")");
      }
      List<Integer> codes = new ArrayList<>();
      List<JsonNode> rawCodes = e.array(r.get("httpStatusCodesForReady"), path + "/httpStatusCodesForReady");
      for (int c = 0; c < rawCodes.size(); c++) {
        codes.add((int) e.integer(rawCodes.get(c), path + "/httpStatusCodesForReady/" + c, 200, 100, 999));
      }
      if (codes.isEmpty()) {
        codes.add(200);
      }
      boolean preserve = e.bool(r.get("preserveLastResponse"), path + "/preserveLastResponse", false);
      out.add(new ReadinessCheck(name, protocol, checkPath, portName, interval, timeout, codes, preserve));
    }
    return out;
  }
}
