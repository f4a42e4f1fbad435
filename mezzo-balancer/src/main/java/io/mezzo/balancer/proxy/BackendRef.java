package io.mezzo.balancer.proxy;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One backend (an instance's host and port for one route) with the counters the data plane keeps:
 * requests in flight (the latency and status meters are in {@link LbMetrics}). Identity is {@code instanceId} plus address; the object
 * survives route-table swaps as long as the instance stays, so its counters do too. Thread-safe:
 * counters are atomics; {@code draining} is set by the control thread, {@code down} by the
 * {@link HealthProber}, and both are read by event loops.
 */
final class BackendRef {
  final String instanceId;
  final String host;
  final int port;
  final String address;
  /** The algorithms' id of this backend: {@code instanceId@host:port}. */
  final String key;
  /** The algorithms' counters (in flight, latency), shared with the route's picker; set by the control thread. */
  volatile io.mezzo.balancer.algorithm.BackendStats stats;
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicBoolean idleReported = new AtomicBoolean();
  volatile boolean draining;
  /** DOWN in the LB's active health checks: no new requests (unless its route panics); set by the prober. */
  volatile boolean down;
  /** Why the backend is UP or DOWN, for the stats endpoint. */
  volatile String healthReason = "reported healthy when discovered";

  /** The route this backend serves ({@code /app:0}). */
  final String routeKey;

  BackendRef(String instanceId, String host, int port, String routeKey) {
    this.routeKey = routeKey;
    this.instanceId = instanceId;
    this.host = host;
    this.port = port;
    this.address = host + ":" + port;
    this.key = instanceId + "@" + address;
  }

  @Override
  public String toString() {
    return instanceId + "@" + address;
  }
}
