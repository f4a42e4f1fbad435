package io.mezzo.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table as the client commands print them: a header of upper-case names, then one
 * line per row, columns left-aligned and separated by two spaces, no trailing blanks. Rows must have
 * as many cells as there are columns. Not thread-safe; built and printed by one command.
 */
final class Table {
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  Table(String... columns) {
    this.header = List.of(columns);
  }

  Table row(Object... cells) {
    if (cells.length != header.size()) {
      throw new IllegalArgumentException("BUG: row of " + cells.length + " cells (expected: " + header.size() + ")");
    }
    rows.add(Arrays.stream(cells).map(c -> c == null ? "-" : String.valueOf(c)).toList());
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  void print(PrintWriter out) {
    render().forEach(out::println);
    out.flush();
  }

  /** The header and the rows as the lines {@link #print} prints. */
  List<String> render() {
    List<String> out = new ArrayList<>();
    int[] width = new int[header.size()];
    for (List<String> line : lines()) {
      for (int i = 0; i < width.length; i++) {
        width[i] = Math.max(width[i], line.get(i).length());
      }
    }
    for (List<String> line : lines()) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < width.length; i++) {
        sb.append(line.get(i));
        if (i < width.length - 1) {
          sb.append(" ".repeat(width[i] - line.get(i).length() + 2));
        }
      }
      out.add(sb.toString().stripTrailing());
    }
    return out;
  }

  private List<List<String>> lines() {
    List<List<String>> all = new ArrayList<>(rows.size() + 1);
    all.add(header);
    all.addAll(rows);
    return all;
  }
}
