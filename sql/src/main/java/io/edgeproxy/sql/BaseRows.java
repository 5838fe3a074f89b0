package io.edgeproxy.sql;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Reads and writes rows of a replicated table itself (not their versions), by key. */
final class BaseRows {
  private BaseRows() {}

  /** Every column of the row (key excluded), or null when there is none. */
  static @Nullable Map<String, @Nullable Object> read(Statements st, ReplicatedTable table, String key) throws SQLException {
    PreparedStatement select = st.prepare("SELECT " + quoted(table.valueColumns()) + " FROM \"" + table.name() + "\" WHERE \""
        + table.keyColumn() + "\" = ?");
    select.setString(1, key);
    try (ResultSet rs = select.executeQuery()) {
      if (!rs.next()) {
        return null;
      }
      Map<String, @Nullable Object> row = new LinkedHashMap<>();
      for (int i = 0; i < table.valueColumns().size(); i++) {
        row.put(table.valueColumns().get(i), normalized(rs.getObject(i + 1)));
      }
      return row;
    }
  }

  /** Inserts the row, or sets the given columns of the existing one (others untouched). */
  static void upsert(Statements st, ReplicatedTable table, String key, Map<String, ? extends @Nullable Object> values)
      throws SQLException {
    List<String> columns = new ArrayList<>(values.keySet());
    String k = "\"" + table.keyColumn() + "\"";
    String sql;
    if (columns.isEmpty()) {
      sql = "INSERT OR IGNORE INTO \"" + table.name() + "\" (" + k + ") VALUES (?)";
    } else {
      StringBuilder set = new StringBuilder();
      for (String column : columns) {
        set.append(set.isEmpty() ? "" : ", ").append('"').append(column).append("\" = excluded.\"").append(column).append('"');
      }
      sql = "INSERT INTO \"" + table.name() + "\" (" + k + ", " + quoted(columns) + ") VALUES (?" + ", ?".repeat(columns.size())
          + ") ON CONFLICT(" + k + ") DO UPDATE SET " + set;
    }
    PreparedStatement write = st.prepare(sql);
    write.setString(1, key);
    int i = 2;
    for (String column : columns) {
      write.setObject(i++, values.get(column));
    }
    write.executeUpdate();
  }

  /** Replaces the row by one holding only {@code values} (other columns take their defaults). */
  static void replace(Statements st, ReplicatedTable table, String key, Map<String, ? extends @Nullable Object> values)
      throws SQLException {
    delete(st, table, key);
    upsert(st, table, key, values);
  }

  static void delete(Statements st, ReplicatedTable table, String key) throws SQLException {
    st.update("DELETE FROM \"" + table.name() + "\" WHERE \"" + table.keyColumn() + "\" = ?", key);
  }

  /** A value as replication carries it: SQLite integers as Long (JDBC hands small ones out as Integer). */
  static @Nullable Object normalized(@Nullable Object value) {
    return value instanceof Integer i ? Long.valueOf(i) : value;
  }

  static String quoted(List<String> columns) {
    StringBuilder out = new StringBuilder();
    for (String column : columns) {
      out.append(out.isEmpty() ? "" : ", ").append('"').append(column).append('"');
    }
    return out.toString();
  }
}
