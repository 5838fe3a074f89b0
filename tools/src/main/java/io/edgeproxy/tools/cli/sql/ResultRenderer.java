package io.edgeproxy.tools.cli.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Prints a {@link ResultTable} in one of the {@link OutputMode}s. */
final class ResultRenderer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ResultRenderer() {}

  /**
   * Prints {@code table}; an empty result prints nothing, except {@code []} in JSON mode (so a
   * script can always parse the output).
   */
  static void print(ResultTable table, OutputMode mode, boolean headers, PrintWriter out) {
    if (table.rows().isEmpty() && mode != OutputMode.JSON) {
      return;
    }
    switch (mode) {
      case LIST -> delimited(table, headers, out, "|", ResultRenderer::text);
      case CSV -> delimited(table, headers, out, ",", v -> csv(text(v)));
      case JSON -> json(table, out);
      case TABLE -> boxed(table, out);
      case LINE -> lines(table, out);
    }
    out.flush();
  }

  /** A value as {@code sqlite3} prints it: NULL as "", reals with a decimal point, blobs as hex. */
  static String text(@Nullable Object value) {
    return switch (value) {
      case null -> "";
      case Double d when d == Math.rint(d) && Math.abs(d) < 1e15 -> String.format(Locale.ROOT, "%.1f", d);
      case byte[] b -> HexFormat.of().formatHex(b);
      default -> value.toString();
    };
  }

  private static void delimited(ResultTable t, boolean headers, PrintWriter out, String separator,
      java.util.function.Function<@Nullable Object, String> format) {
    if (headers) {
      out.println(String.join(separator, t.columns().stream().map(c -> format.apply(c)).toList()));
    }
    for (List<@Nullable Object> row : t.rows()) {
      out.println(String.join(separator, row.stream().map(format).toList()));
    }
  }

  private static String csv(String s) {
    return s.isEmpty() || s.chars().noneMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r')
        ? s : '"' + s.replace("\"", "\"\"") + '"';
  }

  private static void json(ResultTable t, PrintWriter out) {
    ArrayNode array = JSON.createArrayNode();
    for (List<@Nullable Object> row : t.rows()) {
      ObjectNode o = array.addObject();
      for (int i = 0; i < t.columns().size(); i++) {
        switch (row.get(i)) {
          case null -> o.putNull(t.columns().get(i));
          case Long l -> o.put(t.columns().get(i), l);
          case Double d -> o.put(t.columns().get(i), d);
          case byte[] b -> o.put(t.columns().get(i), HexFormat.of().formatHex(b));
          case Object v -> o.put(t.columns().get(i), v.toString());
        }
      }
    }
    try {
      out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(array));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  /** Always with the column names, as sqlite3's table mode. */
  private static void boxed(ResultTable t, PrintWriter out) {
    List<List<String>> cells = new ArrayList<>();
    cells.add(t.columns());
    t.rows().forEach(r -> cells.add(r.stream().map(ResultRenderer::text).toList()));
    int[] widths = new int[t.columns().size()];
    cells.forEach(r -> {
      for (int i = 0; i < widths.length; i++) {
        widths[i] = Math.max(widths[i], r.get(i).length());
      }
    });
    StringBuilder rule = new StringBuilder("+");
    for (int w : widths) {
      rule.append("-".repeat(w + 2)).append('+');
    }
    out.println(rule);
    for (int r = 0; r < cells.size(); r++) {
      StringBuilder line = new StringBuilder("|");
      for (int i = 0; i < widths.length; i++) {
        String cell = cells.get(r).get(i);
        boolean number = r > 0 && t.rows().get(r - 1).get(i) instanceof Number;
        line.append(' ').append(pad(cell, widths[i], number)).append(" |");
      }
      out.println(line);
      if (r == 0) {
        out.println(rule);
      }
    }
    out.println(rule);
  }

  private static void lines(ResultTable t, PrintWriter out) {
    int width = t.columns().stream().mapToInt(String::length).max().orElse(0);
    for (int r = 0; r < t.rows().size(); r++) {
      if (r > 0) {
        out.println();
      }
      for (int i = 0; i < t.columns().size(); i++) {
        out.println(pad(t.columns().get(i), width, true) + " = " + text(t.rows().get(r).get(i)));
      }
    }
  }

  static String pad(String s, int width, boolean right) {
    String fill = " ".repeat(Math.max(0, width - s.length()));
    return right ? fill + s : s + fill;
  }
}
