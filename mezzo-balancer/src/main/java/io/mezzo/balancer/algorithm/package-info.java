/**
 * Pure backend pickers for the load balancer: no I/O, no threads, no clock reads (time comes in
 * {@link io.mezzo.balancer.algorithm.PickContext}).
 *
 * <p>How the proxy uses them, per route:
 * <pre>{@code
 * Algorithm algorithm = Algorithms.of(label, options);         // once per route config; rejects bad names
 * BackendSet set = BackendSet.of(initialBackends);             // first snapshot: all warm
 * volatile Picker picker = algorithm.newPicker(set);
 * // discovery change (any thread; publish with a volatile write):
 * set = set.next(newBackends, ticker.nanos());  picker = algorithm.newPicker(set);
 * // per request, on an event loop:
 * Backend b = picker.pick(PickContext.hashed(key, now));     // null: no backend (503 after the queue)
 * b.stats().onStart();  ...  b.stats().onComplete(latencyNanos, now);   // or onCancel()
 * // retry elsewhere:
 * picker.pick(ctx.excluding(b));
 * }</pre>
 * {@link io.mezzo.balancer.algorithm.Algorithm#keySource()} says where the hash key comes from;
 * {@link io.mezzo.balancer.algorithm.HashKeys} turns header values, cookies and addresses into keys.
 * Implementations are package-private behind {@link io.mezzo.balancer.algorithm.Algorithms}.
 */
package io.mezzo.balancer.algorithm;
