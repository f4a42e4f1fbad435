/**
 * The Mesos v1 operator API of the master and the state behind it.
 *
 * <p>{@code POST /api/v1} takes a {@code mesos.v1.master.Call} as JSON and answers with a
 * {@code mesos.v1.master.Response} in the protobuf JSON field names (ids as {@code {"value": ...}},
 * times as {@code {"nanoseconds": n}}, quota scalars as {@code {"cpus": {"value": 1}}}), so that
 * {@code JsonFormat} parses every answer into {@code org.apache.mesos.v1.master.Protos}. Served calls:
 * GET_HEALTH, GET_VERSION, GET_METRICS, GET_STATE, GET_AGENTS, GET_FRAMEWORKS, GET_TASKS, GET_ROLES,
 * GET_QUOTA / UPDATE_QUOTA (Mesos 1.9+ {@code quota_configs}, {@code force}), GET_WEIGHTS /
 * UPDATE_WEIGHTS, DRAIN_AGENT, DEACTIVATE_AGENT, REACTIVATE_AGENT, and SUBSCRIBE: a RecordIO stream of
 * {@code mesos.v1.master.Event}s (SUBSCRIBED with the state, TASK_ADDED, TASK_UPDATED, AGENT_ADDED,
 * AGENT_REMOVED, FRAMEWORK_ADDED, FRAMEWORK_UPDATED, FRAMEWORK_REMOVED, HEARTBEAT).
 *
 * <p>Maintenance: a deactivated agent gets no offers and keeps its tasks; a draining agent gets no
 * offers, its outstanding offers are rescinded and its tasks killed with at most
 * {@code max_grace_period} of grace, and it is DRAINED once none is left (with {@code mark_gone}, it
 * is then removed and refused if it subscribes again); REACTIVATE_AGENT ends either. Maintenance
 * orders, quotas and weights are hard state: written to ZooKeeper ({@link
 * io.mezzo.master.operator.OperatorStore}) before the call is answered, recovered on master start.
 *
 * <p>Layout: {@link io.mezzo.master.operator.OperatorCall} parses and validates calls (pure);
 * {@link io.mezzo.master.operator.OperatorViews} builds the response and event bodies from the
 * loop's entries (pure, loop thread); {@link io.mezzo.master.operator.OperatorState} holds the
 * operator's part of the master state and the hooks the loop calls; {@link
 * io.mezzo.master.operator.MasterMetrics} backs {@code /metrics/snapshot}. The HTTP side and the
 * state changes that touch agents and tasks live in {@code io.mezzo.master} ({@code OperatorApi},
 * the maintenance section of {@code MasterLoop}), which owns that state.
 */
package io.mezzo.master.operator;
