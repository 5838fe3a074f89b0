package io.edgeproxy.tools.cli.sql;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * One connection to routing.db and the shell's settings ({@code .mode}, {@code .headers}).
 * Read-only sessions open SQLite with {@code SQLITE_OPEN_READONLY}, so SQLite itself refuses every
 * write. Writes of a {@code --write} session commit one statement at a time (autocommit), and the
 * change-capture triggers record them like any other writer's, so they replicate.
 */
final class SqlSession implements AutoCloseable {
  /** Tables and triggers of change capture and replication: hidden from .tables and .schema unless asked. */
  static final String INTERNAL_PREFIX = "__edge_";
  private static final Pattern SQLITE_MESSAGE = Pattern.compile("^\\[(SQLITE_\\w+)\\][^(]*\\((.*)\\)$", Pattern.DOTALL);

  private final Connection connection;
  private final boolean writable;
  private final PrintWriter out;
  private final PrintWriter err;
  OutputMode mode = OutputMode.LIST;
  boolean headers;

  private SqlSession(Connection connection, boolean writable, PrintWriter out, PrintWriter err) {
    this.connection = connection;
    this.writable = writable;
    this.out = out;
    this.err = err;
  }

  /** Opens an existing routing.db; read-only unless {@code writable}. */
  static SqlSession open(Path db, boolean writable, PrintWriter out, PrintWriter err) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(5_000); // wait for the agent's short write transactions instead of failing
    config.setReadOnly(!writable);
    if (writable) {
      config.resetOpenMode(SQLiteOpenMode.CREATE); // the caller created and migrated it; never make a new file here
    }
    return new SqlSession(config.createConnection("jdbc:sqlite:" + db.toAbsolutePath()), writable, out, err);
  }

  PrintWriter out() {
    return out;
  }

  PrintWriter err() {
    return err;
  }

  /** Told after a statement changed rows (writable sessions only): the CLI then asks for a receipt. */
  Runnable afterWrite = () -> { };

  /** Runs one statement and prints its rows; on failure prints SQLite's error and returns false. */
  boolean execute(String sql) {
    try (Statement st = connection.createStatement()) {
      if (st.execute(sql)) {
        try (ResultSet rs = st.getResultSet()) {
          ResultRenderer.print(ResultTable.read(rs), mode, headers, out);
        }
      } else if (writable && st.getUpdateCount() > 0) {
        out.flush();
        afterWrite.run();
      }
      return true;
    } catch (SQLException e) {
      out.flush();
      err.println("Error: " + describe(e));
      if (!writable && e.getMessage() != null && e.getMessage().contains("SQLITE_READONLY")) {
        err.println("edgeproxy sql opens routing.db read-only; run it with --write to change it"
            + " (writes are replicated to every POP)");
      }
      err.flush();
      return false;
    }
  }

  /** SQLite's own message, then its result code: "no such table: x (SQLITE_ERROR)". */
  static String describe(SQLException e) {
    String message = String.valueOf(e.getMessage());
    Matcher m = SQLITE_MESSAGE.matcher(message);
    return m.matches() ? m.group(2) + " (" + m.group(1) + ")" : message;
  }

  /** Names of tables and views, sorted; internal ones only when {@code all}; {@code like} filters (SQL LIKE). */
  List<String> tables(boolean all, String like) throws SQLException {
    List<String> names = new ArrayList<>();
    try (PreparedStatement st = connection.prepareStatement("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view')"
        + " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name LIKE ? ORDER BY name")) {
      st.setString(1, like);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          if (all || !rs.getString(1).startsWith(INTERNAL_PREFIX)) {
            names.add(rs.getString(1));
          }
        }
      }
    }
    return names;
  }

  /**
   * The CREATE statements of every object whose name or table matches {@code like}, in creation
   * order; objects named {@code __edge_*} only when {@code all}.
   */
  List<String> schema(boolean all, String like) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement st = connection.prepareStatement("SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL"
        + " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND (name LIKE ?1 OR tbl_name LIKE ?1) ORDER BY rowid")) {
      st.setString(1, like);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          if (all || !rs.getString(1).startsWith(INTERNAL_PREFIX)) {
            out.add(rs.getString(2) + ";");
          }
        }
      }
    }
    return out;
  }

  boolean writable() {
    return writable;
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
