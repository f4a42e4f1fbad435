package io.mezzo.core.scheduler;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.OfferId;
import io.mezzo.core.model.TaskStatus;
import java.util.List;

/**
 * An event on a framework's subscription stream ({@code RecordIO}-framed JSON), in the Mesos v1
 * shape.
 */
public record Event(
    Type type,
    Subscribed subscribed,
    Offers offers,
    Rescind rescind,
    Update update,
    Failure failure,
    Error error) {

  /** Event types. */
  public enum Type {
    SUBSCRIBED,
    OFFERS,
    RESCIND,
    UPDATE,
    MESSAGE,
    FAILURE,
    ERROR,
    HEARTBEAT,
    INVERSE_OFFERS,
    RESCIND_INVERSE_OFFER,
    UPDATE_OPERATION_STATUS
  }

  /** SUBSCRIBED body. */
  public record Subscribed(FrameworkId frameworkId, Double heartbeatIntervalSeconds) {}

  /** OFFERS body. */
  public record Offers(List<Offer> offers) {}

  /** RESCIND body. */
  public record Rescind(OfferId offerId) {}

  /** UPDATE body. */
  public record Update(TaskStatus status) {}

  /** FAILURE body: an agent was lost (no executor ids: Mezzo runs command tasks). */
  public record Failure(AgentId agentId, Integer status) {}

  /** ERROR body. */
  public record Error(String message) {}

  public static Event subscribed(FrameworkId id, double heartbeatSeconds) {
    return new Event(Type.SUBSCRIBED, new Subscribed(id, heartbeatSeconds), null, null, null, null, null);
  }

  public static Event offers(List<Offer> offers) {
    return new Event(Type.OFFERS, null, new Offers(offers), null, null, null, null);
  }

  public static Event rescind(OfferId id) {
    return new Event(Type.RESCIND, null, null, new Rescind(id), null, null, null);
  }

  public static Event update(TaskStatus status) {
    return new Event(Type.UPDATE, null, null, null, new Update(status), null, null);
  }

  public static Event failure(AgentId agent) {
    return new Event(Type.FAILURE, null, null, null, null, new Failure(agent, null), null);
  }

  public static Event error(String message) {
    return new Event(Type.ERROR, null, null, null, null, null, new Error(message));
  }

  public static Event heartbeat() {
    return new Event(Type.HEARTBEAT, null, null, null, null, null, null);
  }
}
