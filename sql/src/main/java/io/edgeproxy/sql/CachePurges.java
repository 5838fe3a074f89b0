package io.edgeproxy.sql;

import io.edgeproxy.core.edge.CachePurge;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * routing.db's {@code cache_purges}: writes a purge (and removes those older than a day), and
 * reads the valid rows; a bad row is skipped and described.
 */
public final class CachePurges {
  /** How long a purge row stays: long enough for any POP that was cut off to catch up. */
  public static final long KEEP_MS = 86_400_000L;
  private static final int MAX_VALUE = 2048;
  private static final SecureRandom RANDOM = new SecureRandom();
  private final RoutingDb db;

  public CachePurges(RoutingDb db) {
    this.db = db;
  }

  /**
   * Records a purge of {@code app}'s cached responses: all ({@code ALL}, empty {@code value}), a
   * path (with its query), a path prefix, or a tag; returns it. Purges older than a day go.
   *
   * @throws IllegalArgumentException saying what is wrong with {@code app} or {@code value}
   */
  public CachePurge add(String app, CachePurge.Kind kind, String value, long nowMs) {
    String problem = problem(app, kind, value);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    byte[] id = new byte[8];
    RANDOM.nextBytes(id);
    CachePurge purge = new CachePurge("p-" + HexFormat.of().formatHex(id), app, kind, value, nowMs);
    db.write("INSERT INTO cache_purges (id, app, kind, value, created_ms) VALUES (?, ?, ?, ?, ?)", purge.id(), app,
        kind.column(), value, nowMs);
    db.write("DELETE FROM cache_purges WHERE created_ms < ?", nowMs - KEEP_MS);
    return purge;
  }

  /** What is wrong with a purge, or null. */
  static String problem(String app, CachePurge.Kind kind, String value) {
    if (!RowValidator.isAppName(app)) {
      return "app: " + RowValidator.show(app) + " (expected: 1-128 letters, digits, '.', '_' or '-')";
    }
    if (value == null || value.length() > MAX_VALUE || value.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
      return "value: " + RowValidator.show(value) + " (expected: at most " + MAX_VALUE + " visible ASCII characters)";
    }
    return switch (kind) {
      case ALL -> value.isEmpty() ? null : "value: " + RowValidator.show(value) + " (expected: '' for kind 'all')";
      case PATH, PREFIX -> value.startsWith("/") ? null : "value: " + RowValidator.show(value) + " (expected: a path, '/...')";
      case TAG -> value.isEmpty() ? "value: '' (expected: a tag)" : null;
    };
  }

  static List<CachePurge> read(Connection c, List<String> problems) throws SQLException {
    List<CachePurge> out = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT rowid, id, app, kind, value, created_ms FROM cache_purges ORDER BY created_ms, id")) {
      while (rs.next()) {
        String where = "cache_purges row (rowid " + rs.getLong(1) + ") skipped: ";
        String id = RowValidator.text(rs.getObject(2));
        String app = RowValidator.text(rs.getObject(3));
        String kindText = RowValidator.text(rs.getObject(4));
        CachePurge.Kind kind = kindText == null ? null : CachePurge.Kind.of(kindText);
        String value = rs.getObject(5) == null ? "" : RowValidator.text(rs.getObject(5));
        Long created = RowValidator.integer(rs.getObject(6), null);
        String problem = id == null ? "id: " + RowValidator.show(rs.getObject(2)) + " (expected: text)"
            : kind == null ? "kind: " + RowValidator.show(rs.getObject(4)) + " (expected: 'all', 'path', 'prefix' or 'tag')"
            : created == null ? "created_ms: " + RowValidator.show(rs.getObject(6)) + " (expected: milliseconds since 1970)"
            : problem(app, kind, value);
        if (problem != null) {
          problems.add(where + problem);
        } else {
          out.add(new CachePurge(id, app, kind, value, created));
        }
      }
    }
    return out;
  }
}
