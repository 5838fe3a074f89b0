package io.edgeproxy.sql;

import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.routing.AppSettings;
import io.edgeproxy.core.routing.Backend;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;

/**
 * routing.db on disk: one writer connection and one reader connection, WAL mode, schema migrated
 * on open. Only this module speaks SQL.
 *
 * <p>The reader connection is what change detection watches: SQLite bumps its
 * {@code PRAGMA data_version} whenever any other connection (the writer here, the {@code sqlite3}
 * CLI, another process) commits. Each connection has its own lock; none of the methods is meant for an
 * I/O thread.
 */
public final class RoutingDb implements Closeable {
  private static final org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger(RoutingDb.class);
  private final Path path;
  /** Guards the writer connection; never held while the reader lock is wanted except in changeStamp's reopen. */
  private final Object writeLock = new Object();
  /** Guards the reader connection, so a long load never delays a write (or a capture) and vice versa. */
  private final Object readLock = new Object();
  private Connection writer;
  private Connection reader;
  /** How many statements the writer connection keeps compiled between transactions (see {@link Statements}). */
  private static final int KEPT_STATEMENTS = 128;
  /** The writer connection's kept statements (closed with it); null until first asked for. */
  private @Nullable Statements kept;
  private @Nullable Object fileKey;
  private final List<String> migrations;

  private RoutingDb(Path path, List<String> migrations, Connection writer, Connection reader, @Nullable Object fileKey) {
    this.path = path;
    this.migrations = migrations;
    this.writer = writer;
    this.reader = reader;
    this.fileKey = fileKey;
  }

  /** The writer (migrated, WAL) and the reader connection of the file at {@code path}. */
  private static Connection[] connectBoth(Path path, List<String> migrations) throws SQLException {
    Connection writer = connect(path, false);
    try {
      try (Statement st = writer.createStatement()) {
        st.execute("PRAGMA journal_mode=WAL");
      }
      Migrations.migrate(writer, path.toString(), migrations);
      return new Connection[] {writer, connect(path, true)};
    } catch (SQLException | RuntimeException e) {
      writer.close();
      throw e;
    }
  }

  /**
   * Opens (creating if needed) and migrates routing.db at {@code path}.
   *
   * @throws RoutingDbException naming the file and the cause when it cannot be opened or migrated
   */
  public static RoutingDb open(Path path) {
    return open(path, Migrations.SCRIPTS);
  }

  /**
   * Opens routing.db migrated by {@code migrations} (resource names, in order) instead of this
   * build's: tests run two schema versions side by side this way.
   */
  public static RoutingDb open(Path path, List<String> migrations) {
    requireNonNull(path, "path");
    try {
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Connection[] connections = connectBoth(path, List.copyOf(migrations));
      return new RoutingDb(path, List.copyOf(migrations), connections[0], connections[1], fileKey(path));
    } catch (SQLException | IOException e) {
      throw new RoutingDbException("cannot open routing.db at " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * What {@link #open} would change in the schema of the routing.db at {@code path} (migrations to
   * run, capture triggers to replace), read without writing; empty when nothing, or when there is
   * no file yet. An agent taking over from a running one must not change the schema under it.
   *
   * @throws RoutingDbException when the file cannot be read
   */
  public static java.util.Optional<String> schemaChange(Path path) {
    if (!Files.exists(path)) {
      return java.util.Optional.empty();
    }
    try (Connection c = connect(path, true)) {
      int version = Migrations.userVersion(c);
      if (version != Migrations.SCRIPTS.size()) {
        return java.util.Optional.of("schema version " + version + " would be migrated to " + Migrations.SCRIPTS.size());
      }
      return CaptureTriggers.current(c, ReplicatedSchema.read(c)) ? java.util.Optional.empty()
          : java.util.Optional.of("its change-capture triggers would be replaced");
    } catch (SQLException e) {
      throw new RoutingDbException("cannot read routing.db at " + path + ": " + e.getMessage(), e);
    }
  }

  private static Connection connect(Path path, boolean readOnly) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(5_000);
    // Writers take the lock at BEGIN, so two writers wait for each other instead of deadlocking on upgrade.
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.setReadOnly(readOnly);
    // Nothing here asks for generated keys; fetching them after every insert costs a statement each.
    config.setGetGeneratedKeys(false);
    return config.createConnection("jdbc:sqlite:" + path.toAbsolutePath());
  }

  private static @Nullable Object fileKey(Path path) {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  public Path path() {
    return path;
  }

  /** This build's migrations, in order (resource names). */
  public static List<String> migrations() {
    return Migrations.SCRIPTS;
  }

  /**
   * Reads every table; bad rows are skipped and described in {@link LoadResult#problems()}; a
   * registered backend routes as its lease allows at {@code nowMs}.
   */
  public LoadResult load(LeaseRule leases, long nowMs) {
    synchronized (readLock) {
      try {
        return RoutingReader.read(reader, leases, nowMs);
      } catch (SQLException e) {
        throw new RoutingDbException("cannot read routing.db at " + path + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * A number that changes whenever another connection has committed since the last call; cheap
   * (no table is read). After the file was replaced (e.g. {@code mv new.db routing.db}), both
   * connections are reopened on the new file (closing the old ones last-closes the old file's WAL,
   * which must not be paired with the new file) and the returned value changes too.
   */
  public long changeStamp() {
    return stamp(false);
  }

  /**
   * Like {@link #changeStamp()}, but moved only by commits of other processes (the CLI, {@code
   * sqlite3}) and a replaced file: what this process writes, through {@link #write} and the
   * stores' transactions, does not move it (SQLite's data version, read on the writer connection).
   */
  public long foreignChangeStamp() {
    return stamp(true);
  }

  private long stamp(boolean foreignOnly) {
    synchronized (writeLock) {
      synchronized (readLock) {
        try {
          Object key = fileKey(path);
          if (key != null && !Objects.equals(key, fileKey)) {
            closeBoth();
            Connection[] connections = connectBoth(path, migrations);
            writer = connections[0];
            reader = connections[1];
            fileKey = key;
            return System.nanoTime(); // a stamp the caller has never seen
          }
          try (Statement st = (foreignOnly ? writer : reader).createStatement(); ResultSet rs = st.executeQuery("PRAGMA data_version")) {
            return rs.getLong(1);
          }
        } catch (SQLException e) {
          throw new RoutingDbException("cannot check routing.db at " + path + " for changes: " + e.getMessage(), e);
        }
      }
    }
  }

  /** Inserts or replaces a backend row (deleted = 0). */
  public void upsertBackend(Backend b) {
    write("INSERT INTO backends (id, app, region, country, wg_ip, port, healthy, weight, soft_limit, hard_limit, deleted)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)"
            + " ON CONFLICT(id) DO UPDATE SET app = excluded.app, region = excluded.region, country = excluded.country,"
            + " wg_ip = excluded.wg_ip, port = excluded.port, healthy = excluded.healthy, weight = excluded.weight,"
            + " soft_limit = excluded.soft_limit, hard_limit = excluded.hard_limit, deleted = 0",
        b.id(), b.app(), b.region(), b.country(), b.address().getHostAddress(), b.port(), b.healthy() ? 1 : 0,
        b.weight(), b.softLimit(), b.hardLimit());
  }

  /** Marks a backend deleted (the row stays, as in the original). Returns false if there is none. */
  public boolean markDeleted(String id) {
    return write("UPDATE backends SET deleted = 1 WHERE id = ? AND deleted = 0", id) > 0;
  }

  /** Sets a backend's healthy flag. Returns false if there is no such backend. */
  public boolean setHealthy(String id, boolean healthy) {
    return write("UPDATE backends SET healthy = ? WHERE id = ?", healthy ? 1 : 0, id) > 0;
  }

  public void upsertApp(AppSettings app) {
    write("INSERT INTO apps (name, proxy_protocol, protocol, http_redirect, cache, auth) VALUES (?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT(name) DO UPDATE SET proxy_protocol = excluded.proxy_protocol, protocol = excluded.protocol,"
        + " http_redirect = excluded.http_redirect, cache = excluded.cache, auth = excluded.auth",
        app.name(), app.proxyProtocol() ? 1 : 0, app.protocol().column(), app.httpRedirect() ? 1 : 0, app.cache() ? 1 : 0,
        app.clientTokens() ? "token" : "none");
  }

  /**
   * Stores a certificate for {@code hostname} (its key already sealed); a newer one for the same
   * name replaces it.
   *
   * @param source {@code 'operator'} (edgeproxy tls add) or {@code 'acme'}
   */
  public void upsertCertificate(String hostname, String chainPem, String keySealed, long notAfterMs, String source) {
    write("INSERT INTO certificates (hostname, chain_pem, key_sealed, not_after_ms, source) VALUES (?, ?, ?, ?, ?)"
        + " ON CONFLICT(hostname) DO UPDATE SET chain_pem = excluded.chain_pem, key_sealed = excluded.key_sealed,"
        + " not_after_ms = excluded.not_after_ms, source = excluded.source", hostname, chainPem, keySealed, notAfterMs, source);
  }

  /**
   * Runs one write statement on the writer connection and commits it.
   *
   * @return rows changed
   * @throws RoutingDbException naming the file and SQLite's error (e.g. disk full); nothing is written then
   */
  public int write(String sql, @Nullable Object... params) {
    synchronized (writeLock) {
      try (PreparedStatement st = writer.prepareStatement(sql)) {
        for (int i = 0; i < params.length; i++) {
          st.setObject(i + 1, params[i]);
        }
        return st.executeUpdate();
      } catch (SQLException e) {
        throw writeFailed(e);
      }
    }
  }

  /**
   * True if change capture has recorded changes not yet versioned. A read on the writer connection
   * (so a long load on the reader never delays it); it takes no SQLite write lock.
   */
  boolean hasPendingChanges() {
    synchronized (writeLock) {
      try {
        // asked after every commit anyone makes
        try (ResultSet rs = keptStatements().prepare("SELECT EXISTS (SELECT 1 FROM __edge_pending)").executeQuery()) {
          return rs.getInt(1) == 1;
        }
      } catch (SQLException e) {
        throw new RoutingDbException("cannot read routing.db at " + path + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Runs {@code work} on the reader connection (one read transaction, no write lock). A long
   * snapshot load holds the reader, so this may wait for it.
   *
   * @throws RoutingDbException naming the file and SQLite's message
   */
  <T> T read(SqlWork<T> work) {
    synchronized (readLock) {
      try {
        boolean autoCommit = reader.getAutoCommit();
        reader.setAutoCommit(false);
        try {
          return work.run(reader);
        } finally {
          reader.rollback();
          reader.setAutoCommit(autoCommit);
        }
      } catch (SQLException e) {
        throw new RoutingDbException("cannot read routing.db at " + path + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Runs a short read on the writer connection, outside any transaction: it sees the latest
   * commit and never waits for a long snapshot load on the reader (but does for a write).
   */
  <T> T readLatest(SqlWork<T> work) {
    synchronized (writeLock) {
      try {
        return work.run(writer);
      } catch (SQLException e) {
        throw new RoutingDbException("cannot read routing.db at " + path + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Writes a consistent copy of the whole database to {@code target}, which must not exist
   * ({@code VACUUM INTO} on the reader connection: native, no table is read into Java).
   */
  void snapshotTo(Path target) {
    synchronized (readLock) {
      try (PreparedStatement st = reader.prepareStatement("VACUUM INTO ?")) {
        st.setString(1, target.toAbsolutePath().toString());
        st.execute();
      } catch (SQLException e) {
        throw new RoutingDbException("cannot copy routing.db at " + path + " to " + target + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Runs {@code work} in one write transaction with the SQLite file {@code file} attached as
   * {@code alias} (attached before the transaction and detached after it, as SQLite requires).
   */
  <T> T withAttached(Path file, String alias, SqlWork<T> work) {
    synchronized (writeLock) {
      try (PreparedStatement attach = writer.prepareStatement("ATTACH DATABASE ? AS " + alias)) {
        attach.setString(1, file.toAbsolutePath().toString());
        attach.execute();
      } catch (SQLException e) {
        throw new RoutingDbException("cannot open " + file + ": " + e.getMessage(), e);
      }
      try {
        return inTransactionLocked(work);
      } finally {
        try (Statement detach = writer.createStatement()) {
          detach.execute("DETACH DATABASE " + alias);
        } catch (SQLException e) {
          logger.warn("cannot detach {}: {}", file, e.getMessage());
        }
      }
    }
  }

  /** Work on the writer connection inside one transaction. */
  interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Work on the writer connection's kept statements. */
  interface StatementWork<T> {
    T run(Statements statements) throws SQLException;
  }

  /**
   * Runs {@code work} in one write transaction on the writer connection: all of it commits, or
   * none of it (the transaction rolls back on any failure, a full disk included).
   *
   * @throws RoutingDbException naming the file and SQLite's message
   */
  <T> T inTransaction(SqlWork<T> work) {
    synchronized (writeLock) {
      return inTransactionLocked(work);
    }
  }

  /**
   * As {@link #inTransaction}, with the writer connection's kept statements: each SQL text is
   * compiled once for the life of the connection, not once per transaction. Not to be nested.
   */
  <T> T transact(StatementWork<T> work) {
    synchronized (writeLock) {
      Statements statements = keptStatements();
      try {
        return inTransactionLocked(c -> work.run(statements));
      } finally {
        statements.close(); // trims the least recently used beyond the bound
      }
    }
  }

  /** As {@link #readLatest}, with the writer connection's kept statements (see {@link #transact}). */
  <T> T latest(StatementWork<T> work) {
    synchronized (writeLock) {
      Statements statements = keptStatements();
      try {
        return work.run(statements);
      } catch (SQLException e) {
        throw new RoutingDbException("cannot read routing.db at " + path + ": " + e.getMessage(), e);
      } finally {
        statements.close();
      }
    }
  }

  /** The writer connection's kept statements. Under the write lock. */
  private Statements keptStatements() {
    if (kept == null || kept.connection() != writer) {
      if (kept != null) {
        kept.closeAll();
      }
      kept = Statements.kept(writer, KEPT_STATEMENTS);
    }
    return kept;
  }

  private <T> T inTransactionLocked(SqlWork<T> work) {
    try {
      writer.setAutoCommit(false);
      try {
        T result = work.run(writer);
        writer.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        writer.rollback();
        throw e;
      } finally {
        writer.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw writeFailed(e);
    }
  }

  /**
   * A failed write, said plainly. SQLite may roll a transaction back by itself when the disk fills
   * (the commit then reports only "no transaction is active"), so the free space is checked too.
   */
  private RoutingDbException writeFailed(SQLException e) {
    String message = "cannot write routing.db at " + path + ": " + e.getMessage();
    try {
      java.nio.file.FileStore store = Files.getFileStore(path.toAbsolutePath());
      long free = store.getUsableSpace();
      if (free < 1L << 20) {
        message += " (disk full: " + free + " bytes free on " + store + "; routing.db keeps its last good state)";
      }
    } catch (IOException ignored) {
      // no more to say
    }
    return new RoutingDbException(message, e);
  }

  @Override
  public void close() {
    synchronized (writeLock) {
      synchronized (readLock) {
        closeOrThrow();
      }
    }
  }

  private void closeOrThrow() {
    try {
      closeBoth();
    } catch (SQLException e) {
      throw new RoutingDbException("cannot close routing.db at " + path + ": " + e.getMessage(), e);
    }
  }

  private void closeBoth() throws SQLException {
    if (kept != null) {
      kept.closeAll();
      kept = null;
    }
    try {
      reader.close();
    } finally {
      writer.close();
    }
  }
}
