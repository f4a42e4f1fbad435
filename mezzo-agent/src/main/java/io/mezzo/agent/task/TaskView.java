package io.mezzo.agent.task;

import java.util.Map;

/**
 * One task as {@code GET /state} shows it. Immutable.
 *
 * @param sandbox the run directory, or null if the task never got one
 * @param pid the task's pid (= its process group id), or null if it never started
 */
public record TaskView(
    String id,
    String name,
    String frameworkId,
    String state,
    String sandbox,
    Long pid,
    Map<String, Object> resources) {}
