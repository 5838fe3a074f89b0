package io.edgeproxy.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The change-capture triggers of every replicated table, generated from {@link ReplicatedSchema}
 * (one source for the list of captured tables and columns). Whoever writes (the appliance, the
 * CLI, {@code sqlite3}), an insert or delete records the row's key, and an update records each
 * column it changed, in {@code __edge_pending}; the appliance versions them later. Writes made by
 * replication itself run with {@code __edge_capture.paused = 1} and are not recorded.
 *
 * <p>Installed at every open, only when the generated text differs from what the file has (so an
 * unchanged file is not written to).
 */
final class CaptureTriggers {
  private static final String NOW = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
  private static final String ACTIVE = "WHEN (SELECT paused FROM __edge_capture WHERE id = 1) = 0";
  private static final String META_KEY = "capture_triggers";

  private CaptureTriggers() {}

  /** Installs the triggers for {@code schema}; runs in the caller's transaction. */
  static void install(Connection c, ReplicatedSchema schema) throws SQLException {
    List<String> statements = statements(schema);
    String signature = signature(statements);
    if (signature.equals(stored(c))) {
      return;
    }
    try (Statement st = c.createStatement()) {
      for (String name : existingTriggers(c)) {
        st.execute("DROP TRIGGER IF EXISTS \"" + name + "\"");
      }
      for (String sql : statements) {
        st.execute(sql);
      }
    }
    try (PreparedStatement st = c.prepareStatement("INSERT OR REPLACE INTO __edge_meta (key, value) VALUES (?, ?)")) {
      st.setString(1, META_KEY);
      st.setString(2, signature);
      st.executeUpdate();
    }
  }

  /** Whether the triggers in {@code c} are the ones {@link #install} would make (nothing to replace). */
  static boolean current(Connection c, ReplicatedSchema schema) throws SQLException {
    return signature(statements(schema)).equals(stored(c));
  }

  private static List<String> statements(ReplicatedSchema schema) {
    List<String> statements = new ArrayList<>();
    for (ReplicatedTable table : schema.tables()) {
      statements.addAll(forTable(table));
    }
    return statements;
  }

  private static String signature(List<String> statements) {
    return Integer.toHexString(String.join("\n", statements).hashCode());
  }

  static List<String> forTable(ReplicatedTable table) {
    String t = table.name();
    String k = "\"" + table.keyColumn() + "\"";
    String prefix = "CREATE TRIGGER \"__edge_" + t + "_";
    String on = " ON \"" + t + "\" " + ACTIVE + "\nBEGIN\n";
    List<String> out = new ArrayList<>();
    out.add(prefix + "insert\" AFTER INSERT" + on + rowLevel(t, "NEW." + k, "") + "END;");
    out.add(prefix + "delete\" AFTER DELETE" + on + rowLevel(t, "OLD." + k, "") + "END;");
    StringBuilder update = new StringBuilder(prefix + "update\" AFTER UPDATE" + on);
    for (String column : table.valueColumns()) {
      String col = "\"" + column + "\"";
      update.append("  INSERT INTO __edge_pending (tbl, pk, col, wall_ms) SELECT '").append(t).append("', NEW.").append(k)
          .append(", '").append(column).append("', ").append(NOW).append(" WHERE OLD.").append(col).append(" IS NOT NEW.")
          .append(col).append(" AND NEW.").append(k).append(" IS OLD.").append(k).append(";\n");
    }
    // A changed key is the old row deleted and a new one inserted.
    String keyChanged = " WHERE NEW." + k + " IS NOT OLD." + k;
    update.append(rowLevel(t, "OLD." + k, keyChanged)).append(rowLevel(t, "NEW." + k, keyChanged)).append("END;");
    out.add(update.toString());
    return out;
  }

  private static String rowLevel(String table, String key, String where) {
    return "  INSERT INTO __edge_pending (tbl, pk, col, wall_ms) SELECT '" + table + "', " + key + ", NULL, " + NOW + where + ";\n";
  }

  private static List<String> existingTriggers(Connection c) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '\\_\\_edge\\_%' ESCAPE '\\'")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  private static String stored(Connection c) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT value FROM __edge_meta WHERE key = ?")) {
      st.setString(1, META_KEY);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? rs.getString(1) : "";
      }
    }
  }
}
