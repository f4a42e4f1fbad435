package io.mezzo.master.operator;

import io.mezzo.core.http.HttpStream;
import io.mezzo.core.json.Json;
import io.mezzo.core.recordio.RecordIo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator API's event subscribers ({@code SUBSCRIBE} on {@code /api/v1}) and the fan-out of
 * {@code mesos.v1.master.Event}s to them as RecordIO-framed JSON. Each subscriber first gets
 * SUBSCRIBED with the full state, then every event in the order the loop produced them. Closed
 * streams are dropped on the next send. Owned by the master loop thread.
 */
public final class OperatorEvents {
  private final List<HttpStream> subscribers = new ArrayList<>();

  /** Adds {@code stream}, sending it SUBSCRIBED first; it is removed when it closes. */
  public void subscribe(HttpStream stream, Map<String, Object> getState, double heartbeatSeconds) {
    Map<String, Object> subscribed = new LinkedHashMap<>();
    subscribed.put("get_state", getState);
    subscribed.put("heartbeat_interval_seconds", heartbeatSeconds);
    if (stream.send(frame(event("SUBSCRIBED", "subscribed", subscribed)))) {
      subscribers.add(stream);
    }
  }

  public void remove(HttpStream stream) {
    subscribers.remove(stream);
  }

  public int size() {
    return subscribers.size();
  }

  public boolean isEmpty() {
    return subscribers.isEmpty();
  }

  public void heartbeat() {
    publish(event("HEARTBEAT", null, null));
  }

  /** Sends an event {@code {"type": type, field: body}} to every subscriber. */
  public void publish(String type, String field, Object body) {
    if (!subscribers.isEmpty()) {
      publish(event(type, field, body));
    }
  }

  private void publish(Map<String, Object> event) {
    if (subscribers.isEmpty()) {
      return;
    }
    byte[] frame = frame(event);
    subscribers.removeIf(s -> !s.send(frame));
  }

  private static Map<String, Object> event(String type, String field, Object body) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("type", type);
    if (field != null) {
      out.put(field, body);
    }
    return out;
  }

  private static byte[] frame(Map<String, Object> event) {
    return RecordIo.jsonFrame(event);
  }
}
