package io.mezzo.services.app;

import java.util.Map;

/**
 * A host port an instance asks for: {@code port} 0 means "any port from the offer", otherwise the
 * service port (and the host port too when the app sets {@code requirePorts}). {@code protocol} is
 * {@code tcp}, {@code udp} or {@code udp,tcp}; {@code name} is null or matches {@code [a-z0-9-]+}.
 */
public record PortDefinition(int port, String protocol, String name, Map<String, String> labels) {
  public static final PortDefinition ANY = new PortDefinition(0, "tcp", null, Map.of());

  public PortDefinition {
    labels = Map.copyOf(labels);
  }
}
