package io.mezzo.services.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mezzo.core.http.HttpRequest;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpStream;
import io.mezzo.services.app.MarathonJson;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Marathon's event stream, {@code GET /v2/events}, as server-sent events. Each subscriber first gets
 * the comment {@code : connected}; then every event published while it is attached, filtered by its
 * {@code ?event_type=} parameters (none: all), as
 * <pre>
 *   event: status_update_event
 *   data: {"appId":"/web",...,"eventType":"status_update_event","timestamp":"2026-11-27T05:30:00.123Z"}
 * </pre>
 * followed by a blank line. As Marathon does, attaching and detaching a subscriber are themselves
 * published, as {@code event_stream_attached} and {@code event_stream_detached} with its
 * {@code remoteAddress}; and {@link #keepAlive()} (which the owner schedules every
 * {@link #KEEP_ALIVE_INTERVAL}) sends the comment {@code : ping} so that proxies keep idle streams open.
 *
 * <p>Threads: {@link #publish} and {@link #keepAlive} may be called from any thread; a short lock
 * makes every subscriber see the events in one order, with timestamps taken in that order. Neither
 * blocks on a subscriber: {@link HttpStream#send} only queues the frame for the connection's event
 * loop. A subscriber whose stream closes (client gone, server closing) is dropped.
 *
 * <p>A client that reads more slowly than events are published is cut off once more than
 * {@link #MAX_BACKLOG_BYTES} wait for it ({@link HttpStream#queuedBytes}), as Marathon closes a stream
 * with too many outstanding messages: the server never holds an unbounded backlog, and the client
 * reconnects and resynchronises from {@code /v2/apps}.
 */
public final class EventBus {
  /** How often the owner should call {@link #keepAlive()}. */
  public static final Duration KEEP_ALIVE_INTERVAL = Duration.ofSeconds(15);
  public static final String EVENT_STREAM = "text/event-stream";
  /** How much may wait for one subscriber before it is disconnected. */
  public static final long MAX_BACKLOG_BYTES = 4L * 1024 * 1024;

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final byte[] CONNECTED = ": connected\n\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.UTF_8);

  private final Clock clock;
  private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
  private final Object order = new Object();

  public EventBus(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** One attached stream and the event types it asked for (empty: all). Identity equality. */
  private static final class Subscriber {
    final HttpStream stream;
    final Set<String> eventTypes;
    final String remoteAddress;

    Subscriber(HttpStream stream, Set<String> eventTypes, String remoteAddress) {
      this.stream = stream;
      this.eventTypes = eventTypes;
      this.remoteAddress = remoteAddress;
    }

    boolean wants(String eventType) {
      return eventTypes.isEmpty() || eventTypes.contains(eventType);
    }
  }

  /**
   * Answers {@code GET /v2/events}: a stream of server-sent events, or 406 when the request's
   * {@code Accept} header rules out {@code text/event-stream}.
   */
  public HttpResponse subscribe(HttpRequest req) {
    String accept = req.header("accept");
    if (!acceptsEventStream(accept)) {
      return HttpResponse.text(406, "Accept: " + accept + " (expected: " + EVENT_STREAM
          + "; /v2/events answers with server-sent events only)");
    }
    Set<String> types = Set.copyOf(req.query().getOrDefault("event_type", List.of()));
    String remote = req.remote() == null || req.remote().getAddress() == null ? "unknown"
        : req.remote().getAddress().getHostAddress();
    return HttpResponse.stream(EVENT_STREAM, Map.of("Cache-Control", "no-cache"),
        stream -> attach(new Subscriber(stream, types, remote)));
  }

  private void attach(Subscriber s) {
    if (!s.stream.send(CONNECTED)) {
      return;
    }
    subscribers.add(s);
    s.stream.onClose(() -> {
      if (subscribers.remove(s)) {
        publish("event_stream_detached", Map.of("remoteAddress", s.remoteAddress));
      }
    });
    publish("event_stream_attached", Map.of("remoteAddress", s.remoteAddress));
  }

  /**
   * Sends one event to every subscriber that wants {@code eventType}. The JSON is {@code fields}
   * (written with Marathon's camelCase mapping; null values left out) plus {@code eventType} and
   * {@code timestamp} (now, ISO-8601 UTC with milliseconds).
   *
   * @throws IllegalArgumentException when {@code eventType} is empty or spans lines, when
   *     {@code fields} sets {@code eventType} or {@code timestamp}, or cannot be written as JSON
   */
  public void publish(String eventType, Map<String, ?> fields) {
    if (eventType == null || eventType.isEmpty() || eventType.indexOf('\n') >= 0 || eventType.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("eventType: " + (eventType == null ? "null" : "\"" + eventType + "\"")
          + " (expected: a non-empty name on one line, such as status_update_event)");
    }
    for (String reserved : List.of("eventType", "timestamp")) {
      if (fields.containsKey(reserved)) {
        throw new IllegalArgumentException("fields: " + reserved + " (expected: absent; the bus sets it)");
      }
    }
    synchronized (order) {
      if (subscribers.isEmpty()) {
        return;
      }
      Map<String, Object> body = new LinkedHashMap<>(fields);
      body.put("eventType", eventType);
      body.put("timestamp", TIMESTAMP.format(clock.instant()));
      String json;
      try {
        json = MarathonJson.MAPPER.writeValueAsString(body); // escapes line breaks: one line
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("fields: " + fields.keySet() + " (expected: values that can be written as "
            + "JSON; " + e.getOriginalMessage() + ")", e);
      }
      byte[] frame = ("event: " + eventType + "\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
      for (Subscriber s : subscribers) {
        if (s.wants(eventType)) {
          send(s, frame);
        }
      }
    }
  }

  /** Sends the comment {@code : ping} to every subscriber; call it every {@link #KEEP_ALIVE_INTERVAL}. */
  public void keepAlive() {
    synchronized (order) {
      for (Subscriber s : subscribers) {
        send(s, PING);
      }
    }
  }

  /** How many streams are attached. */
  public int subscribers() {
    return subscribers.size();
  }

  private void send(Subscriber s, byte[] frame) {
    if (s.stream.queuedBytes() > MAX_BACKLOG_BYTES) {
      subscribers.remove(s);
      s.stream.close(); // too slow: cut off rather than buffer without bound
      return;
    }
    if (!s.stream.send(frame)) {
      subscribers.remove(s); // closed: its onClose callback, if not run yet, finds it gone
    }
  }

  /**
   * True when {@code accept} (an HTTP Accept header, null when absent) allows text/event-stream: a
   * missing header, or a media range {@code text/event-stream}, {@code text/*} or {@code *}{@code /*}
   * with a quality above 0, unless {@code text/event-stream;q=0} excludes it by name.
   */
  static boolean acceptsEventStream(String accept) {
    if (accept == null || accept.isBlank()) {
      return true;
    }
    boolean allowed = false;
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      String type = parts[0].trim().toLowerCase(Locale.ROOT);
      double q = 1;
      for (int i = 1; i < parts.length; i++) {
        String param = parts[i].trim().toLowerCase(Locale.ROOT);
        if (param.startsWith("q=")) {
          try {
            q = Double.parseDouble(param.substring(2).trim());
          } catch (NumberFormatException e) {
            q = 0;
          }
        }
      }
      if (type.equals(EVENT_STREAM)) {
        if (q <= 0) {
          return false;
        }
        allowed = true;
      } else if ((type.equals("text/*") || type.equals("*/*")) && q > 0) {
        allowed = true;
      }
    }
    return allowed;
  }
}
