package io.edgeproxy.tools.cli.sql;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** How query results are printed ({@code .mode}), as in {@code sqlite3}. */
enum OutputMode {
  /** Values separated by {@code |}, one row a line ({@code sqlite3}'s default). */
  LIST,
  /** RFC 4180 CSV. */
  CSV,
  /** One JSON array of objects, column name to value. */
  JSON,
  /** A box drawn with {@code +-|}, columns aligned. */
  TABLE,
  /** One {@code column = value} line per column, a blank line between rows. */
  LINE;

  static Optional<OutputMode> parse(String name) {
    return Arrays.stream(values()).filter(m -> m.label().equals(name.toLowerCase(Locale.ROOT))).findFirst();
  }

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  static String choices() {
    return Arrays.stream(values()).map(OutputMode::label).collect(Collectors.joining("|"));
  }
}
