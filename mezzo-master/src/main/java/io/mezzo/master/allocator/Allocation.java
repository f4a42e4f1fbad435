package io.mezzo.master.allocator;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.Resources;

/**
 * One decision of an allocation cycle: offer {@code resources} of {@code agent} to {@code framework},
 * allocated to {@code role} (one of its subscribed roles). {@code resources} may include values
 * reserved to {@code role} or one of its ancestors; the offer's wire form is
 * {@code resources.toList(role)}.
 */
public record Allocation(FrameworkId framework, String role, AgentId agent, Resources resources) {}
