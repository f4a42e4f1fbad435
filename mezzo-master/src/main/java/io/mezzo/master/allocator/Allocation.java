package io.mezzo.master.allocator;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.Resources;

/** One decision of an allocation cycle: offer {@code resources} of {@code agent} to {@code framework}. */
public record Allocation(FrameworkId framework, AgentId agent, Resources resources) {}
