package io.edgeproxy.sql;

import io.edgeproxy.core.change.ChangeSet;
import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.core.change.RowChange;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One POP's replica for storage tests: a real routing.db file, its store, and a clock with its own
 * skew over a shared virtual wall clock. Changes travel by hand: {@link #capture()} on one,
 * {@link #receive} on another.
 */
final class TestReplica implements AutoCloseable {
  /** This build's migrations plus the test one that plays the next schema version. */
  static final List<String> NEXT_SCHEMA = next();

  final String name;
  final Path file;
  final RoutingDb db;
  final ReplicaStore store;
  final HybridClock clock;

  private TestReplica(String name, Path file, RoutingDb db, HybridClock clock) {
    this.name = name;
    this.file = file;
    this.db = db;
    this.store = ReplicaStore.open(db, name);
    this.clock = clock;
  }

  static TestReplica open(Path dir, String name, AtomicLong wall, long skewMs) {
    return open(dir, name, wall, skewMs, RoutingDb.migrations());
  }

  static TestReplica open(Path dir, String name, AtomicLong wall, long skewMs, List<String> migrations) {
    Path file = dir.resolve(name + ".db");
    return new TestReplica(name, file, RoutingDb.open(file, migrations),
        new HybridClock(() -> wall.get() + skewMs, Duration.ofMillis(500)));
  }

  private static List<String> next() {
    List<String> out = new ArrayList<>(RoutingDb.migrations());
    out.add("db/migration-next/V10__next_schema.sql");
    return List.copyOf(out);
  }

  /** Runs writes as any writer would (the appliance's writer connection; triggers capture them). */
  void sql(String sql, Object... params) {
    db.write(sql, params);
  }

  /** Versions what was written since the last call; null when nothing was. */
  @Nullable ChangeSet capture() {
    ReplicaStore.Capture capture = store.captureLocal(clock);
    return capture == null ? null : capture.set();
  }

  ApplyResult receive(List<RowChange> rows) {
    return store.apply(List.of(new ReplicaStore.Batch(rows, null)), clock);
  }

  ApplyResult receive(@Nullable ChangeSet set) {
    return receive(set == null ? List.of() : set.rows());
  }

  /** Every row this replica holds (tombstones included), as states. */
  List<RowChange> allRows() {
    List<RowChange> out = new ArrayList<>();
    store.rows(k -> true, out::add);
    return out;
  }

  /** A table's rows as text, ordered by key: equal dumps mean equal content. */
  String dump(String table) {
    StringBuilder out = new StringBuilder();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM \"" + table + "\" ORDER BY 1")) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= n; i++) {
          out.append(i > 1 ? "|" : "").append(rs.getObject(i));
        }
        out.append('\n');
      }
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
    return out.toString();
  }

  /** One row's columns by name, or null. */
  @Nullable Map<String, Object> row(String table, String keyColumn, String key) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        var st = c.prepareStatement("SELECT * FROM \"" + table + "\" WHERE \"" + keyColumn + "\" = ?")) {
      st.setString(1, key);
      try (ResultSet rs = st.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
        }
        return row;
      }
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  /** The hash of every row, by key: equal maps mean equal versions. */
  Map<RowKey, Long> hashes() {
    Map<RowKey, Long> out = new LinkedHashMap<>();
    store.rowHashes(k -> true, out::put);
    return out;
  }

  @Override
  public void close() {
    db.close();
  }
}
