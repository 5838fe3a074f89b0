package io.edgeproxy.sql;

import io.edgeproxy.core.change.RowChange;
import org.jspecify.annotations.Nullable;

/**
 * Structural checks on a change from another POP before it may touch routing.db: a replicated
 * table, a non-empty key, only that table's columns, values SQLite can store. Semantic checks
 * (port ranges, known regions) stay where they are for every writer: at load, where a bad row is
 * skipped with a warning on every POP alike.
 */
final class ChangeCheck {
  private static final int MAX_TEXT = 4096;

  private ChangeCheck() {}

  /** Null if {@code change} may be applied; otherwise what is wrong with it. */
  static @Nullable String problemWith(RowChange change) {
    ReplicatedTable table = ReplicatedTable.named(change.table()).orElse(null);
    if (table == null) {
      return "change to unknown table '" + clip(change.table()) + "' (expected: one of backends, apps, region_countries)";
    }
    if (change.key().isEmpty() || change.key().length() > MAX_TEXT) {
      return "change to " + table.table() + " with an empty or oversized key (expected: 1-" + MAX_TEXT + " characters)";
    }
    for (var column : change.columns().entrySet()) {
      if (!table.valueColumns().contains(column.getKey())) {
        return "change to " + table.table() + " '" + clip(change.key()) + "' has unknown column '" + clip(column.getKey())
            + "' (expected: " + String.join(", ", table.valueColumns()) + ")";
      }
      Object value = column.getValue();
      boolean storable = value == null || value instanceof Long || value instanceof Integer || value instanceof Double
          || (value instanceof String s && s.length() <= MAX_TEXT) || (value instanceof byte[] b && b.length <= MAX_TEXT);
      if (!storable) {
        return "change to " + table.table() + " '" + clip(change.key()) + "' column " + column.getKey()
            + " has an unusable value (expected: integer, real, text or blob up to " + MAX_TEXT + " bytes, or null)";
      }
    }
    return null;
  }

  private static String clip(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }
}
