package io.edgeproxy.sql;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and upgrades routing.db. The schema version is {@code PRAGMA user_version}; migration N
 * is {@code db/migration/V<N>__*.sql} and runs in one transaction with the version bump, so a
 * crash leaves either the old or the new schema.
 */
final class Migrations {
  private static final Logger logger = LoggerFactory.getLogger(Migrations.class);

  /** Resource names, in order; index + 1 is the schema version each one produces. */
  static final List<String> SCRIPTS =
      List.of("db/migration/V1__routing_schema.sql", "db/migration/V2__change_capture.sql",
          "db/migration/V3__discovery.sql", "db/migration/V4__per_column_versions.sql",
          "db/migration/V5__https_edge.sql",
          "db/migration/V6__http_mode.sql",
          "db/migration/V7__acme.sql",
          "db/migration/V8__tunnels.sql",
          "db/migration/V9__cache.sql",
          "db/migration/V10__cache_purges.sql",
          "db/migration/V11__edge_auth.sql",
          "db/migration/V12__wireguard.sql",
          "db/migration/V13__forgotten_leases.sql");

  /** The original's backends columns that older files may lack, with their declarations. */
  private static final Map<String, String> LEGACY_BACKEND_COLUMNS = legacyColumns();

  private Migrations() {}

  static int latestVersion() {
    return SCRIPTS.size();
  }

  /**
   * Brings {@code connection}'s database to the version of the last of {@code scripts} (this
   * build's {@link #SCRIPTS}; tests pass fewer or more to run two schema versions side by side),
   * then installs the capture triggers and applies values kept aside for tables or columns the
   * file now has.
   *
   * @throws RoutingDbException when the file's schema is newer than {@code scripts} reach
   */
  static void migrate(Connection connection, String where, List<String> scripts) throws SQLException {
    int version = userVersion(connection);
    if (version > scripts.size()) {
      throw new RoutingDbException(where + " has schema version " + version
          + ", newer than this edgeproxy understands (expected: <= " + scripts.size() + "); upgrade edgeproxy");
    }
    boolean autoCommit = connection.getAutoCommit();
    for (int next = version + 1; next <= scripts.size(); next++) {
      connection.setAutoCommit(false);
      try (Statement st = connection.createStatement()) {
        for (String sql : statements(scripts.get(next - 1))) {
          st.execute(sql);
        }
        if (next == 1) {
          addMissingBackendColumns(connection, where);
        }
        if (next == 4) {
          CellCarryOver.run(connection);
        }
        st.execute("PRAGMA user_version = " + next);
        connection.commit();
        logger.info("{}: schema migrated to version {}", where, next);
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(autoCommit);
      }
    }
    if (scripts.size() >= 4) {
      installCapture(connection, where);
    }
  }

  /** Generates the capture triggers and promotes kept-aside values, in one transaction. */
  private static void installCapture(Connection connection, String where) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      ReplicatedSchema schema = ReplicatedSchema.read(connection);
      CaptureTriggers.install(connection, schema);
      int promoted = KeptCells.promote(connection, schema);
      connection.commit();
      if (promoted > 0) {
        logger.info("{}: {} values kept aside for tables or columns this schema now has were applied", where, promoted);
      }
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  static int userVersion(Connection connection) throws SQLException {
    try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("PRAGMA user_version")) {
      return rs.getInt(1);
    }
  }

  /** A routing.db made for the original may lack {@code country} (or older columns): add them. */
  private static void addMissingBackendColumns(Connection connection, String where) throws SQLException {
    Set<String> present = new HashSet<>();
    try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("PRAGMA table_info(backends)")) {
      while (rs.next()) {
        present.add(rs.getString("name").toLowerCase(java.util.Locale.ROOT));
      }
    }
    try (Statement st = connection.createStatement()) {
      for (Map.Entry<String, String> column : LEGACY_BACKEND_COLUMNS.entrySet()) {
        if (!present.contains(column.getKey())) {
          st.execute("ALTER TABLE backends ADD COLUMN " + column.getKey() + " " + column.getValue());
          logger.info("{}: added column backends.{} (file made for an older edgeproxy)", where, column.getKey());
        }
      }
    }
  }

  private static Map<String, String> legacyColumns() {
    Map<String, String> columns = new LinkedHashMap<>();
    columns.put("app", "TEXT");
    columns.put("region", "TEXT");
    columns.put("country", "TEXT");
    columns.put("wg_ip", "TEXT");
    columns.put("port", "INTEGER");
    columns.put("healthy", "INTEGER DEFAULT 1");
    columns.put("weight", "INTEGER DEFAULT 2");
    columns.put("soft_limit", "INTEGER DEFAULT 100");
    columns.put("hard_limit", "INTEGER DEFAULT 150");
    columns.put("deleted", "INTEGER DEFAULT 0");
    return columns;
  }

  /**
   * The statements of a script: split on ';' at line ends, comments dropped; a CREATE TRIGGER runs
   * to its {@code END;} line.
   */
  static List<String> statements(String resource) {
    String text;
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("migration script missing from the jar: " + resource);
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read migration script " + resource, e);
    }
    StringBuilder current = new StringBuilder();
    List<String> out = new java.util.ArrayList<>();
    for (String line : text.split("\n")) {
      int comment = line.indexOf("--");
      String code = comment >= 0 ? line.substring(0, comment) : line;
      current.append(code).append('\n');
      boolean inTrigger = current.toString().stripLeading().toUpperCase(java.util.Locale.ROOT).startsWith("CREATE TRIGGER");
      boolean ends = inTrigger ? code.strip().equalsIgnoreCase("END;") : code.stripTrailing().endsWith(";");
      if (ends) {
        out.add(current.toString().trim());
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      out.add(current.toString().trim());
    }
    return out;
  }
}
