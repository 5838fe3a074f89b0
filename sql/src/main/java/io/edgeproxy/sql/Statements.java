package io.edgeproxy.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The prepared statements of one transaction on one connection: each SQL text is compiled once
 * and reused for every row (a batch of thousands of rows would otherwise compile thousands of
 * times). Closing closes them all. Not thread-safe: one transaction, one thread.
 */
final class Statements implements AutoCloseable {
  private final Connection connection;
  private final Map<String, PreparedStatement> cache = new HashMap<>();

  Statements(Connection connection) {
    this.connection = connection;
  }

  Connection connection() {
    return connection;
  }

  /** The statement for {@code sql}, parameters to be set by the caller. */
  PreparedStatement prepare(String sql) throws SQLException {
    PreparedStatement st = cache.get(sql);
    if (st == null) {
      st = connection.prepareStatement(sql);
      cache.put(sql, st);
    }
    return st;
  }

  /** Binds {@code params} in order and runs the statement; returns the rows changed. */
  int update(String sql, Object... params) throws SQLException {
    PreparedStatement st = prepare(sql);
    for (int i = 0; i < params.length; i++) {
      st.setObject(i + 1, params[i]);
    }
    return st.executeUpdate();
  }

  @Override
  public void close() {
    for (PreparedStatement st : cache.values()) {
      try {
        st.close();
      } catch (SQLException e) {
        // closing a statement of a finished transaction; nothing to do
      }
    }
    cache.clear();
  }
}
