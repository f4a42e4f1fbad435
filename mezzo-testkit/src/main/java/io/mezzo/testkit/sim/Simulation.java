package io.mezzo.testkit.sim;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Simulated agents and frameworks in this JVM, loading a real master over real sockets: each agent
 * holds its own subscription connection and speaks the agent protocol ({@link SimAgent}); each
 * framework speaks the v1 scheduler API ({@link SimFramework}). Their one-shot calls share a bounded
 * pool of keep-alive connections per event loop.
 *
 * <p>Agents and frameworks are dealt round-robin to {@link SimConfig#threads} shards, one per Netty
 * event loop, which own them outright; the methods here hand work to the shards and may be called
 * from any thread. Agents' subscriptions bind to loopback source addresses 127.0.0.2, 127.0.0.3, ...
 * ({@link SimConfig#sourceAddresses}) when the master is on loopback.
 */
public final class Simulation implements AutoCloseable {
  private final SimConfig config;
  private final SimNet net;
  private final List<Shard> shards = new ArrayList<>();
  private final long startNanos = System.nanoTime();
  private int frameworks;

  private Simulation(SimConfig config, SimNet net) {
    this.config = config;
    this.net = net;
    for (int i = 0; i < config.threads(); i++) {
      shards.add(new Shard(net, net.loop(i), config));
    }
  }

  /** Starts the event loops and begins subscribing {@link SimConfig#agents} agents. */
  public static Simulation start(SimConfig config) {
    int colon = config.master().lastIndexOf(':');
    InetSocketAddress master;
    try {
      master = new InetSocketAddress(InetAddress.getByName(config.master().substring(0, colon)),
          Integer.parseInt(config.master().substring(colon + 1)));
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("master: '" + config.master() + "' (expected: a resolvable host): " + e, e);
    }
    Simulation sim = new Simulation(config, new SimNet(master, config.threads()));
    boolean loopback = master.getAddress().isLoopbackAddress();
    for (int i = 0; i < config.agents(); i++) {
      InetSocketAddress source = loopback
          ? new InetSocketAddress(loopbackAddress(2 + i % config.sourceAddresses()), 0) : null;
      int index = i;
      Shard shard = sim.shards.get(i % sim.shards.size());
      shard.loop.execute(() -> shard.addAgent(index, source));
    }
    return sim;
  }

  private static InetAddress loopbackAddress(int last) {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    } catch (UnknownHostException e) {
      throw new IllegalStateException("BUG: 127.0.0." + last + " is not an address", e);
    }
  }

  public SimConfig config() {
    return config;
  }

  /** Whether the event loops run on epoll (else NIO). */
  public boolean epoll() {
    return net.epoll();
  }

  /** Subscribes {@code count} more frameworks. */
  public void startFrameworks(int count) {
    for (int i = 0; i < count; i++) {
      int index = frameworks++;
      Shard shard = shards.get(index % shards.size());
      shard.loop.execute(() -> shard.addFramework(index));
    }
  }

  /** Whether frameworks launch tasks on their offers (true) or hold them unanswered (false). */
  public void acceptOffers(boolean accept) {
    for (Shard s : shards) {
      s.loop.execute(() -> s.accepting = accept);
    }
  }

  /** Everything seen since the start, summed over the shards. */
  public SimStats stats() {
    Counters total = new Counters();
    long now = System.nanoTime();
    for (Shard s : shards) {
      total.add(onLoop(s, s::snapshot));
    }
    return SimStats.of(now - startNanos, total);
  }

  private static <T> T onLoop(Shard s, Callable<T> work) {
    try {
      return s.loop.submit(work).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the simulation's counters", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot read the simulation's counters: " + e, e);
    }
  }

  /** Closes every connection and stops the event loops. */
  @Override
  public void close() {
    for (Shard s : shards) {
      try {
        onLoop(s, () -> {
          s.close();
          return null;
        });
      } catch (IllegalStateException e) {
        // the loop is already gone; shutting the group down below is all that is left
      }
    }
    net.close();
  }
}
