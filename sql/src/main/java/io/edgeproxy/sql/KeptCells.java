package io.edgeproxy.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Values kept aside (cells with {@code kept = 1}: replicated by a POP whose schema had a table or
 * column this one lacked) are written into their tables once the schema has them, after an
 * upgrade. Capture is paused: they are not local changes, and their versions stay as they were.
 */
final class KeptCells {
  private KeptCells() {}

  /** Applies every kept value whose table and column {@code schema} now has; returns how many. */
  static int promote(Connection c, ReplicatedSchema schema) throws SQLException {
    Map<String, Map<String, Map<String, Object>>> byTable = new LinkedHashMap<>(); // table -> key -> column -> value
    try (PreparedStatement st = c.prepareStatement("SELECT tbl, pk, col, value FROM __edge_cells WHERE kept = 1");
        ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        if (schema.knows(rs.getString(1), rs.getString(3))) {
          byTable.computeIfAbsent(rs.getString(1), t -> new LinkedHashMap<>())
              .computeIfAbsent(rs.getString(2), k -> new LinkedHashMap<>()).put(rs.getString(3), BaseRows.normalized(rs.getObject(4)));
        }
      }
    }
    if (byTable.isEmpty()) {
      return 0;
    }
    int promoted = 0;
    ReplicaStore.setCapturePaused(c, true);
    for (var tableEntry : byTable.entrySet()) {
      ReplicatedTable table = schema.table(tableEntry.getKey()).orElseThrow();
      for (var row : tableEntry.getValue().entrySet()) {
        if (!rowExists(c, table.name(), row.getKey())) {
          continue; // deleted (or never live) here: nothing to fill in
        }
        try (Statements st = new Statements(c)) {
          BaseRows.upsert(st, table, row.getKey(), row.getValue());
        }
        try (PreparedStatement st = c.prepareStatement(
            "UPDATE __edge_cells SET kept = 0, value = CASE WHEN ? THEN value ELSE NULL END WHERE tbl = ? AND pk = ? AND col = ?")) {
          for (String column : row.getValue().keySet()) {
            st.setBoolean(1, table.keepsValue(column));
            st.setString(2, table.name());
            st.setString(3, row.getKey());
            st.setString(4, column);
            promoted += st.executeUpdate();
          }
        }
      }
    }
    ReplicaStore.setCapturePaused(c, false);
    return promoted;
  }

  private static boolean rowExists(Connection c, String table, String key) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT cl FROM __edge_rows WHERE tbl = ? AND pk = ?")) {
      st.setString(1, table);
      st.setString(2, key);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() && (rs.getLong(1) & 1) == 1;
      }
    }
  }

}
