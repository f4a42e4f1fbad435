package io.mezzo.master.operator;

import io.mezzo.core.model.AgentId;
import io.mezzo.master.state.AgentEntry;
import io.mezzo.master.state.FrameworkEntry;
import io.mezzo.master.state.OfferEntry;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The master loop's live state, handed to the operator response builders. It wraps the loop's own
 * (mutable) collections, so it may only be read on the loop thread, while the call is running.
 */
public record ClusterView(
    Map<AgentId, AgentEntry> agents,
    Collection<FrameworkEntry> frameworks,
    List<FrameworkEntry> completedFrameworks,
    Collection<OfferEntry> offers) {}
