package io.mezzo.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mezzo.core.json.Json;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * {@code --output table|json} ({@code -o}) of every command that lists or shows something: a table
 * for people (the default), or one JSON document on stdout for scripts (pretty-printed, parseable by
 * {@code jq} or any JSON reader, nothing else on stdout). A picocli mixin.
 */
final class OutputOption {
  /** The two forms; lower case, as they are typed. */
  enum Format { table, json }

  @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
      description = "table (default) or json: one JSON document, for scripts.")
  Format format = Format.table;

  boolean json() {
    return format == Format.json;
  }

  /** Prints {@code value} (a JSON tree, a record or a map) as one pretty-printed JSON document. */
  static void print(PrintWriter out, Object value) {
    try {
      out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("BUG: cannot write " + value.getClass().getSimpleName() + " as JSON: " + e, e);
    }
    out.flush();
  }
}
