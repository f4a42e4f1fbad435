package io.mezzo.core.auth;

/**
 * The level an HTTP route demands of its caller. Every route declares one (the server builder has no
 * method that registers a route without it), so a new endpoint cannot be left unchecked by accident.
 *
 * <ul>
 *   <li>{@link #PUBLIC}: anyone, no token (only health pings and sample apps use it, by choice);
 *   <li>{@link #VIEWER}: reads of state, events, files, metrics;
 *   <li>{@link #OPERATOR}: changes to apps, tasks and deployments;
 *   <li>{@link #ADMIN}: everything, including maintenance, quota, weights and teardown;
 *   <li>{@link #AGENT}: the master's agent API (register, reregister, status updates, heartbeats);
 *   <li>{@link #FRAMEWORK}: the Mesos scheduler API.
 * </ul>
 * Which {@link Role} reaches which level is {@link Role#allows}.
 */
public enum Access {
  PUBLIC, VIEWER, OPERATOR, ADMIN, AGENT, FRAMEWORK;

  /** The lower-case name used in messages and files. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
