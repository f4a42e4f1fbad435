package io.mezzo.testkit;

import java.net.URI;
import java.time.Duration;
import java.util.function.Predicate;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * A scheduler written as against Mesos 1.x with the published {@code org.apache.mesos:mesos}
 * protobuf classes: {@code application/x-protobuf} both ways on {@code /api/v1/scheduler}, over a
 * {@link MesosStream}. It adds the framework id to calls and nothing else: acknowledging updates is
 * left to the caller, as a real scheduler does it. Thread-safe.
 */
public final class ProtobufScheduler implements AutoCloseable {
  public static final String PROTOBUF = "application/x-protobuf";

  private final MesosStream<Event> stream;
  private final FrameworkID frameworkId;

  private ProtobufScheduler(MesosStream<Event> stream, FrameworkID frameworkId) {
    this.stream = stream;
    this.frameworkId = frameworkId;
  }

  /** Subscribes {@code info} to the master at {@code masterHostPort} and waits for SUBSCRIBED. */
  public static ProtobufScheduler subscribe(String masterHostPort, FrameworkInfo info, Duration timeout) {
    Call subscribe = Call.newBuilder().setType(Call.Type.SUBSCRIBE)
        .setSubscribe(Call.Subscribe.newBuilder().setFrameworkInfo(info)).build();
    MesosStream<Event> stream = MesosStream.open(URI.create("http://" + masterHostPort + "/api/v1/scheduler"),
        PROTOBUF, subscribe.toByteArray(), Event::parseFrom);
    try {
      Event subscribed = stream.await("SUBSCRIBED", e -> e.getType() == Event.Type.SUBSCRIBED, timeout);
      return new ProtobufScheduler(stream, subscribed.getSubscribed().getFrameworkId());
    } catch (RuntimeException | AssertionError e) {
      stream.close();
      throw e;
    }
  }

  public FrameworkID frameworkId() {
    return frameworkId;
  }

  public MesosStream<Event> stream() {
    return stream;
  }

  /** Waits for the first event that satisfies {@code test}. */
  public Event await(String what, Predicate<Event> test, Duration atMost) {
    return stream.await(what, test, atMost);
  }

  /** Sends {@code call} with this framework's id; returns the HTTP status (202 when accepted). */
  public int send(Call.Builder call) {
    return stream.post(call.setFrameworkId(frameworkId).build().toByteArray()).statusCode();
  }

  /** ACKNOWLEDGE of {@code status} (agent id, task id and uuid bytes as received). */
  public int acknowledge(TaskStatus status) {
    return send(Call.newBuilder().setType(Call.Type.ACKNOWLEDGE).setAcknowledge(Call.Acknowledge.newBuilder()
        .setAgentId(status.getAgentId()).setTaskId(status.getTaskId()).setUuid(status.getUuid())));
  }

  @Override
  public void close() {
    stream.close();
  }
}
