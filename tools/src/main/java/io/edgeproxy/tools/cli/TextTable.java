package io.edgeproxy.tools.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** A listing for people: a header line, then one aligned line per row (two spaces between columns). */
final class TextTable {
  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  TextTable(String... headers) {
    this.headers = List.of(headers);
  }

  /** Adds a row; null cells print as "-". */
  TextTable add(Object... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException("row of " + cells.length + " cells (expected: " + headers.size() + ")");
    }
    rows.add(Arrays.stream(cells).map(c -> Objects.toString(c, "-")).toList());
    return this;
  }

  void print(PrintWriter out, String indent) {
    int[] widths = new int[headers.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = headers.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    line(out, indent, headers, widths);
    rows.forEach(r -> line(out, indent, r, widths));
  }

  private static void line(PrintWriter out, String indent, List<String> cells, int[] widths) {
    StringBuilder b = new StringBuilder(indent);
    for (int i = 0; i < cells.size(); i++) {
      b.append(cells.get(i));
      if (i < cells.size() - 1) {
        b.append(" ".repeat(widths[i] - cells.get(i).length() + 2));
      }
    }
    out.println(b);
  }
}
