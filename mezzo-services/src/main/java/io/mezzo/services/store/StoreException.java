package io.mezzo.services.store;

/**
 * A read or write of the services store failed, or what was read cannot be used (an unknown stored
 * format, a node that does not parse). The message names the ZooKeeper path and the cause. A caller
 * must not act as if the write it attempted happened.
 */
public final class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreException(String message) {
    super(message);
  }
}
