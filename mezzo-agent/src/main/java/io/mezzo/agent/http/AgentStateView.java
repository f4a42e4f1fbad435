package io.mezzo.agent.http;

import io.mezzo.agent.task.TaskView;
import java.util.List;
import java.util.Map;

/**
 * The agent as {@code GET /state} shows it (snake_case on the wire). Immutable.
 *
 * @param id the agent's id, or null before the master first gave it one
 * @param master the master's {@code HOST:PORT}
 * @param resources everything the agent offers, in the {@code /state} map form
 * @param usedResources what its non-terminal tasks hold
 */
public record AgentStateView(
    String id,
    String hostname,
    int port,
    String master,
    boolean subscribed,
    Map<String, Object> resources,
    Map<String, Object> usedResources,
    List<TaskView> tasks) {}
