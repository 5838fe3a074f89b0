package io.edgeproxy.sql;

import io.edgeproxy.core.change.Cell;
import io.edgeproxy.core.change.RowChange;
import org.jspecify.annotations.Nullable;

/**
 * Structural checks on a row from another POP before it may touch routing.db: a plausible table
 * and column names (a table or column this POP does not know is kept aside, not refused), a key,
 * values SQLite can store, a tombstone without columns. Semantic checks (port ranges, known
 * regions) stay where they are for every writer: at load, where a bad row is skipped with a
 * warning on every POP alike.
 */
public final class ChangeCheck {
  static final int MAX_KEY = 4096;
  /** Largest value (certificate chains fit; a frame is at most 16 MiB). */
  static final int MAX_VALUE = 1 << 20;

  private ChangeCheck() {}

  /** Null if {@code change} may be applied; otherwise what is wrong with it. */
  public static @Nullable String problemWith(RowChange change, ReplicatedSchema schema) {
    if (!isName(change.table()) || change.table().startsWith("__edge") || change.table().startsWith("sqlite_")) {
      return "change to table '" + clip(change.table()) + "' (expected: a table name of letters, digits and _,"
          + " not one of edgeproxy's or SQLite's own)";
    }
    if (change.key().isEmpty() || change.key().length() > MAX_KEY) {
      return "change to " + change.table() + " with an empty or oversized key (expected: 1-" + MAX_KEY + " characters)";
    }
    if (change.version().node().isEmpty()) {
      return "change to " + change.table() + " '" + clip(change.key()) + "' without a node in its version";
    }
    if (!change.exists() && !change.cells().isEmpty()) {
      return "tombstone of " + change.table() + " '" + clip(change.key()) + "' carries columns (expected: none)";
    }
    ReplicatedTable table = schema.table(change.table()).orElse(null);
    String keyColumn = table == null ? "" : table.keyColumn();
    for (var entry : change.cells().entrySet()) {
      String column = entry.getKey();
      boolean known = table != null && table.hasColumn(column); // one of this table's value columns: a name, not the key
      if (!known && (!isName(column) || column.equalsIgnoreCase(keyColumn))) {
        return "change to " + change.table() + " '" + clip(change.key()) + "' has column '" + clip(column)
            + "' (expected: a column name of letters, digits and _, other than the key)";
      }
      String problem = valueProblem(entry.getValue());
      if (problem != null) {
        return "change to " + change.table() + " '" + clip(change.key()) + "' column " + column + " " + problem;
      }
    }
    return null;
  }

  private static @Nullable String valueProblem(Cell cell) {
    if (cell.version().node().isEmpty()) {
      return "has no node in its version";
    }
    Object value = cell.value();
    boolean storable = value == null || value instanceof Long || value instanceof Integer || value instanceof Double
        || (value instanceof String s && s.length() <= MAX_VALUE) || (value instanceof byte[] b && b.length <= MAX_VALUE);
    return storable ? null : "has an unusable value (expected: integer, real, text or blob up to " + MAX_VALUE
        + " bytes, or null)";
  }

  /** Letters, digits and _, not starting with a digit, at most 64 (checked per cell: no regex). */
  static boolean isName(String s) {
    if (s.isEmpty() || s.length() > 64) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
      if (!letter && (i == 0 || c < '0' || c > '9')) {
        return false;
      }
    }
    return true;
  }

  private static String clip(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }
}
