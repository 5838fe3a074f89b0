package io.edgeproxy.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/** Reads and writes rows of a replicated table itself (not their versions), by key. */
final class BaseRows {
  /** The statement texts, made once per table (and per set of columns for upserts: a handful). */
  private static final Map<ReplicatedTable, String> SELECTS = new java.util.concurrent.ConcurrentHashMap<>();
  private static final Map<ReplicatedTable, String> SELECTS_BY_KEYS = new java.util.concurrent.ConcurrentHashMap<>();
  private static final Map<UpsertShape, String> UPSERTS = new java.util.concurrent.ConcurrentHashMap<>();

  private record UpsertShape(String table, String keyColumn, List<String> columns) {}

  private BaseRows() {}

  /** Every column of the row (key excluded), or null when there is none. */
  static @Nullable Map<String, @Nullable Object> read(Statements st, ReplicatedTable table, String key) throws SQLException {
    PreparedStatement select = st.prepare(SELECTS.computeIfAbsent(table, t -> "SELECT " + quoted(t.valueColumns()) + " FROM \""
        + t.name() + "\" WHERE \"" + t.keyColumn() + "\" = ?"));
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

  /** {@link #read} for many keys at once: the rows there are, by key (keys with no row are absent). */
  static Map<String, Map<String, @Nullable Object>> readAll(Statements st, ReplicatedTable table, List<String> keys)
      throws SQLException {
    PreparedStatement select = st.prepare(SELECTS_BY_KEYS.computeIfAbsent(table, t -> "SELECT \"" + t.keyColumn() + "\", "
        + quoted(t.valueColumns()) + " FROM \"" + t.name() + "\" WHERE \"" + t.keyColumn() + "\"" + KeyChunks.IN));
    Map<String, Map<String, @Nullable Object>> out = new java.util.HashMap<>();
    KeyChunks.forEach(select, 1, keys, bound -> {
      try (ResultSet rs = bound.executeQuery()) {
        while (rs.next()) {
          Map<String, @Nullable Object> row = new LinkedHashMap<>();
          for (int i = 0; i < table.valueColumns().size(); i++) {
            row.put(table.valueColumns().get(i), normalized(rs.getObject(i + 2)));
          }
          out.put(rs.getString(1), row);
        }
      }
    });
    return out;
  }

  /**
   * Every row of {@code schema.table}: its key and {@code columns}, to {@code sink} (rows without a
   * key are skipped, as everywhere in replication).
   */
  static void scan(Connection c, String schema, String table, String keyColumn, List<String> columns,
      BiConsumer<String, Map<String, @Nullable Object>> sink) throws SQLException {
    String select = "SELECT \"" + keyColumn + "\"" + (columns.isEmpty() ? "" : ", " + quoted(columns)) + " FROM " + schema + ".\""
        + table + "\"";
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(select)) {
      while (rs.next()) {
        String key = rs.getString(1);
        if (key == null) {
          continue;
        }
        Map<String, @Nullable Object> row = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
          row.put(columns.get(i), normalized(rs.getObject(i + 2)));
        }
        sink.accept(key, row);
      }
    }
  }

  /** Inserts the row, or sets the given columns of the existing one (others untouched). */
  static void upsert(Statements st, ReplicatedTable table, String key, Map<String, ? extends @Nullable Object> values)
      throws SQLException {
    List<String> columns = List.copyOf(values.keySet());
    PreparedStatement write = st.prepare(UPSERTS.computeIfAbsent(new UpsertShape(table.name(), table.keyColumn(), columns),
        BaseRows::upsertSql));
    write.setString(1, key);
    int i = 2;
    for (String column : columns) {
      write.setObject(i++, values.get(column));
    }
    write.executeUpdate();
  }

  private static String upsertSql(UpsertShape shape) {
    String k = "\"" + shape.keyColumn() + "\"";
    if (shape.columns().isEmpty()) {
      return "INSERT OR IGNORE INTO \"" + shape.table() + "\" (" + k + ") VALUES (?)";
    }
    StringBuilder set = new StringBuilder();
    for (String column : shape.columns()) {
      set.append(set.isEmpty() ? "" : ", ").append('"').append(column).append("\" = excluded.\"").append(column).append('"');
    }
    return "INSERT INTO \"" + shape.table() + "\" (" + k + ", " + quoted(shape.columns()) + ") VALUES (?"
        + ", ?".repeat(shape.columns().size()) + ") ON CONFLICT(" + k + ") DO UPDATE SET " + set;
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
