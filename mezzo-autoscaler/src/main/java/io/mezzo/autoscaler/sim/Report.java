package io.mezzo.autoscaler.sim;

/**
 * The score of one simulated run. Immutable.
 *
 * <p>Over the run's {@code N} steps of length {@code dt} ({@code T = N dt}), with {@code d_t} the
 * demand (the instances needed to meet the SLO at the load of step {@code t},
 * {@link InstanceModel#demand}, at least 1) and {@code s_t} the supply (the ready instances), the
 * elasticity metrics are those of the SPEC Research Group (Herbst et al., "Ready for Rain? A View from
 * SPEC Research on the Future of Cloud Metrics", SPEC-RG-2016-01, and "Quantifying Cloud Performance and
 * Dependability: Taxonomy, Metric Design, and Emerging Challenges", ACM TOMPECS 2018), in percent:
 * <ul>
 *   <li>under-provisioning accuracy {@code theta_U = 100/T x sum_t max(d_t - s_t, 0) / d_t x dt}: the
 *       average shortfall of supply, relative to demand;</li>
 *   <li>over-provisioning accuracy {@code theta_O = 100/T x sum_t max(s_t - d_t, 0) / d_t x dt}: the
 *       average excess, relative to demand (can exceed 100);</li>
 *   <li>under-provisioning timeshare {@code tau_U = 100/T x sum_t [s_t < d_t] x dt} and over-provisioning
 *       timeshare {@code tau_O = 100/T x sum_t [s_t > d_t] x dt}: the share of time under or over;</li>
 *   <li>instability {@code upsilon = 100/(T - dt) x sum_{t >= 2} min(|sgn(s_t - s_{t-1}) - sgn(d_t - d_{t-1})|, 1)
 *       x dt}: the share of time supply and demand do not move together (one rises while the other falls
 *       or stays, or one moves while the other stays); 0 for a supply that follows demand exactly.</li>
 * </ul>
 *
 * @param sloViolationFraction the share of time (0 to 1) the p95 latency was over the SLO or the
 *     utilisation at or over 1 (equivalently {@code s_t < d_t}, so it equals {@code tau_U / 100})
 * @param instanceHours instances paid for (ready or starting) integrated over time, in hours
 * @param scalingActions evaluations whose decision changed the instance count
 * @param underProvisioningAccuracy {@code theta_U}, percent
 * @param overProvisioningAccuracy {@code theta_O}, percent
 * @param underProvisioningTimeshare {@code tau_U}, percent
 * @param overProvisioningTimeshare {@code tau_O}, percent
 * @param instability {@code upsilon}, percent
 * @param simulatedHours the span simulated ({@code T}), in hours
 */
public record Report(double sloViolationFraction, double instanceHours, int scalingActions,
    double underProvisioningAccuracy, double overProvisioningAccuracy, double underProvisioningTimeshare,
    double overProvisioningTimeshare, double instability, double simulatedHours) {}
