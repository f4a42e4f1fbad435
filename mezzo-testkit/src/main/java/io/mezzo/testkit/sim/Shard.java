package io.mezzo.testkit.sim;

import io.mezzo.core.model.Resource;
import io.mezzo.core.model.Resources;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's share of a simulation: its agents and frameworks, their call pools, the queue of
 * agents waiting to subscribe (at most {@code maxSubscribing} SUBSCRIBEs in flight), the queue of
 * status updates awaiting acknowledgement (for retries), and its {@link Counters}.
 *
 * <p>Owner: {@link #loop}. Everything here and in its agents and frameworks is touched only on it;
 * other threads hand work over with {@code loop.execute}. A one-second tick sends due heartbeats and
 * retries unacknowledged updates.
 */
final class Shard {
  /** One UPDATE sent; retried when its task's head is still that update {@code retry} later. */
  record Sent(SimAgent agent, SimTask task, String uuid, long atNanos) {}

  final SimNet net;
  final EventLoop loop;
  final SimConfig config;
  final List<Resource> agentResources;
  final List<Resource> taskResources;
  final CallPool agentCalls;
  final CallPool frameworkCalls;
  final Counters counters = new Counters();
  final List<SimAgent> agents = new ArrayList<>();
  final List<SimFramework> frameworks = new ArrayList<>();
  final ArrayDeque<Sent> sent = new ArrayDeque<>();
  private final ArrayDeque<SimAgent> waiting = new ArrayDeque<>();
  private final long retryNanos;
  private int subscribing;
  boolean accepting = true;
  boolean closed;
  private ScheduledFuture<?> tick;

  Shard(SimNet net, EventLoop loop, SimConfig config) {
    this.net = net;
    this.loop = loop;
    this.config = config;
    this.agentResources = Resources.parse(config.agentResources()).toList();
    this.taskResources = Resources.parse("cpus:" + config.taskCpus() + ";mem:" + config.taskMem()).toList();
    this.agentCalls = new CallPool(net, loop, config.callConnections());
    this.frameworkCalls = new CallPool(net, loop, config.callConnections());
    this.retryNanos = config.statusRetryInterval().toNanos();
  }

  /** Adds agent number {@code index}, subscribing from {@code source} (null: any address). On the loop. */
  void addAgent(int index, InetSocketAddress source) {
    SimAgent a = new SimAgent(this, index, source);
    agents.add(a);
    queueSubscribe(a);
    if (tick == null) {
      tick = loop.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }
  }

  /** Adds framework number {@code index} and subscribes it. On the loop. */
  void addFramework(int index) {
    SimFramework f = new SimFramework(this, index);
    frameworks.add(f);
    f.subscribe();
  }

  /** {@code agent} wants to subscribe; it goes when fewer than maxSubscribing others are in flight. */
  void queueSubscribe(SimAgent agent) {
    waiting.add(agent);
    pumpSubscribes();
  }

  /** An agent's SUBSCRIBE is over (SUBSCRIBED arrived, or it failed): its slot goes to the next. */
  void subscribeDone() {
    subscribing--;
    pumpSubscribes();
  }

  private void pumpSubscribes() {
    while (!closed && subscribing < config.maxSubscribing() && !waiting.isEmpty()) {
      subscribing++;
      waiting.poll().subscribe();
    }
  }

  private void tick() {
    long now = System.nanoTime();
    for (SimAgent a : agents) {
      a.heartbeatIfDue(now);
    }
    while (!sent.isEmpty() && now - sent.peek().atNanos() >= retryNanos) {
      Sent s = sent.poll();
      s.agent().retry(s.task(), s.uuid());
    }
  }

  Counters snapshot() {
    counters.callBacklog = agentCalls.backlog() + frameworkCalls.backlog();
    return counters.copy();
  }

  void close() {
    closed = true;
    if (tick != null) {
      tick.cancel(false);
    }
    agents.forEach(SimAgent::close);
    frameworks.forEach(SimFramework::close);
    agentCalls.close();
    frameworkCalls.close();
  }
}
