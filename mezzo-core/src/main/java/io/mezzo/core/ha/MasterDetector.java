package io.mezzo.core.ha;

import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds the leading master's {@code HOST:PORT} for a client given a master spec, as Mesos's
 * {@code --master} does: {@code HOST:PORT[,HOST:PORT...]} ({@link #of}: the masters are asked
 * {@code GET /redirect}, see {@link HostListDetector}), or another form a {@link Factory} on the class
 * path accepts. The {@code mezzo} jar carries the master module's factory for
 * {@code zk://HOST:PORT[,HOST:PORT...]/PATH}, which reads the election in ZooKeeper; the agent and
 * balancer modules depend only on this interface, so they never link ZooKeeper themselves (see
 * DESIGN.md: dependencies point to {@code core}).
 *
 * <p>{@link #detect} blocks (network round trips bounded by a few seconds) and is meant for the
 * caller's own connection thread. Implementations are thread-safe; {@link #close} releases what a
 * detector holds open (a ZooKeeper session), after which it must not be used.
 */
public interface MasterDetector extends AutoCloseable {
  /**
   * A detector for {@code spec}: the first {@link Factory} that accepts it, else a
   * {@code HOST:PORT[,HOST:PORT...]} list. Names the bad element (and what was expected) otherwise.
   */
  static MasterDetector of(String spec) {
    if (spec != null) {
      for (Factory f : ServiceLoader.load(Factory.class, MasterDetector.class.getClassLoader())) {
        if (f.accepts(spec)) {
          return f.create(spec);
        }
      }
      if (spec.startsWith("zk://")) {
        throw new IllegalArgumentException("master: '" + spec + "' (expected: HOST:PORT[,HOST:PORT...];"
            + " zk:// needs the master module on the class path, as in the mezzo jar)");
      }
    }
    return HostListDetector.of(spec);
  }

  /** Whether {@code spec} is a {@code HOST:PORT[,HOST:PORT...]} list. */
  static boolean isHostList(String spec) {
    try {
      HostListDetector.of(spec);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The {@code HOST:PORT} of a redirect's {@code Location}: protocol-relative ({@code //h:p/path}) or
   * absolute ({@code http://h:p/path}); empty when it names none.
   */
  static Optional<String> hostPortOf(String location) {
    return HostListDetector.hostPortOf(location);
  }

  /**
   * The leading master's {@code HOST:PORT}, or empty when none is known now. Blocks.
   *
   * @throws InterruptedException when interrupted while asking
   */
  Optional<String> detect() throws InterruptedException;

  /**
   * The master when the spec named exactly one {@code HOST:PORT}: there is nothing to detect, a
   * standby's 307 is followed by the request itself. Empty when the leader must be detected.
   */
  Optional<String> only();

  /** Releases the detector's connections; by default it holds none. */
  @Override
  default void close() {}

  /**
   * Makes detectors for a form of spec other than a host list; registered as a
   * {@link ServiceLoader} provider ({@code META-INF/services/io.mezzo.core.ha.MasterDetector$Factory}).
   */
  interface Factory {
    /** Whether this factory reads {@code spec} (e.g. it starts with its scheme). */
    boolean accepts(String spec);

    /** A detector for {@code spec}; throws {@link IllegalArgumentException} naming what is wrong in it. */
    MasterDetector create(String spec);
  }
}
