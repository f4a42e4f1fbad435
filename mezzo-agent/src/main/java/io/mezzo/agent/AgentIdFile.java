package io.mezzo.agent;

import io.mezzo.core.model.AgentId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The agent's id on disk ({@code workDir/agent.id}), so that a restarted agent subscribes under the
 * same id and the master can readmit it. Written atomically (a temporary file moved into place).
 * Stateless; called on the agent loop and at start.
 */
final class AgentIdFile {
  static final String NAME = "agent.id";

  private AgentIdFile() {}

  static Optional<AgentId> read(Path workDir) {
    Path file = workDir.resolve(NAME);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    try {
      return Optional.of(AgentId.of(text));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage()
          + "; delete the file to register as a new agent", e);
    }
  }

  static void write(Path workDir, AgentId id) throws IOException {
    Path tmp = workDir.resolve(NAME + ".tmp");
    Files.writeString(tmp, id.value() + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, workDir.resolve(NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
