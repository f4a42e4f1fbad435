package io.mezzo.services.app;

/** Which instances go first when an app is scaled in (Marathon's default: the youngest). */
public enum KillSelection {
  YOUNGEST_FIRST, OLDEST_FIRST
}
