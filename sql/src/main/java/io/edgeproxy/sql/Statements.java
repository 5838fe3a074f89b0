package io.edgeproxy.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prepared statements on one connection: each SQL text is compiled once and reused for every row
 * (a batch of thousands of rows would otherwise compile thousands of times). Not thread-safe: one
 * thread at a time, under the connection's lock.
 *
 * <p>Two lifetimes. {@link #Statements(Connection) One transaction's}: closing closes them all.
 * {@link #kept(Connection, int) Kept} across the transactions of a connection (the writer's, see
 * {@link RoutingDb#transact}): a small transaction, such as one pushed row merged or one row
 * captured, would otherwise spend about as long compiling its dozen statements as running them.
 * {@link #close} then only trims the least recently used beyond the bound (never during a
 * transaction, so no statement a caller still reads from is closed); {@link #closeAll} is for the
 * connection's owner.
 */
final class Statements implements AutoCloseable {
  private final Connection connection;
  private final Map<String, PreparedStatement> cache;
  /** Kept: how many statements outlive a transaction; 0: none (closed with it). */
  private final int keep;

  Statements(Connection connection) {
    this(connection, new HashMap<>(), 0);
  }

  private Statements(Connection connection, Map<String, PreparedStatement> cache, int keep) {
    this.connection = connection;
    this.cache = cache;
    this.keep = keep;
  }

  /** Statements kept across transactions on {@code connection}, at most {@code keep} between them. */
  static Statements kept(Connection connection, int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be at least 1, got " + keep);
    }
    return new Statements(connection, new LinkedHashMap<>(2 * keep, 0.75f, true), keep);
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

  /** How many statements are compiled and held. */
  int size() {
    return cache.size();
  }

  /** The end of a transaction: one transaction's statements are closed, kept ones trimmed to the bound. */
  @Override
  public void close() {
    if (keep == 0) {
      closeAll();
      return;
    }
    Iterator<PreparedStatement> eldest = cache.values().iterator();
    while (cache.size() > keep) {
      closeQuietly(eldest.next());
      eldest.remove();
    }
  }

  /** Closes every statement held. */
  void closeAll() {
    for (PreparedStatement st : cache.values()) {
      closeQuietly(st);
    }
    cache.clear();
  }

  private static void closeQuietly(PreparedStatement st) {
    try {
      st.close();
    } catch (SQLException e) {
      // a statement of a finished transaction or a closing connection; nothing to do
    }
  }
}
