package io.mezzo.master.state;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.OfferId;
import io.mezzo.core.model.Resources;

/**
 * An outstanding offer: resources of one agent set aside for one framework under one of its roles,
 * since {@code createdNanos} (for the offer timeout). Immutable.
 */
public record OfferEntry(OfferId id, FrameworkId frameworkId, String role, AgentId agentId, Resources resources,
    long createdNanos) {}
