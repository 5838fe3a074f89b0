package io.edgeproxy.sql;

import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.change.Version;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * routing.db as a replica: versions local changes (captured by triggers, see
 * {@code V2__change_capture.sql}), merges remote changes by last writer wins per row, and answers
 * the questions anti-entropy asks (a digest of all versions, the rows of some digest buckets).
 *
 * <p>Merge rule: a change replaces the row if its {@link Version} is greater than the row's current
 * one; a tombstone deletes the row and keeps its version, so an older update arriving later cannot
 * bring the row back. Applying the same set of changes in any order, with duplicates, leaves the
 * same rows and versions (a property test checks it). Every method runs on routing.db's writer
 * connection in one transaction; callers serialise naturally on it.
 */
public final class ReplicaStore {
  private static final String NODE_ID_KEY = "node_id";

  /** Bucket count whose digest is kept up to date in memory (the change-stream's). */
  public static final int CACHED_BUCKETS = 1_024;

  private final RoutingDb db;
  private final String nodeId;
  /** Digest over {@link #CACHED_BUCKETS} buckets, maintained on every commit; null until first asked for. */
  private long @Nullable [] cachedDigest;
  /** Recent digest changes (clock reading, bucket, delta), oldest first, for {@link #settledDigest}. */
  private final java.util.ArrayDeque<long[]> recent = new java.util.ArrayDeque<>();
  /** How long recent digest changes are kept: longer than any settle time a peer asks for. */
  private static final long RECENT_MILLIS = 15_000;

  private ReplicaStore(RoutingDb db, String nodeId) {
    this.db = db;
    this.nodeId = nodeId;
  }

  /**
   * The replica over {@code db}. The node id is {@code configured} when given (and remembered in
   * the file), else the one remembered from an earlier start, else a new random one.
   */
  public static ReplicaStore open(RoutingDb db, @Nullable String configured) {
    requireNonNull(db, "db");
    String id = db.inTransaction(c -> {
      String stored = meta(c, NODE_ID_KEY);
      String chosen = configured != null ? configured : stored != null ? stored : "node-" + UUID.randomUUID().toString().substring(0, 8);
      if (!chosen.equals(stored)) {
        try (PreparedStatement st = c.prepareStatement("INSERT OR REPLACE INTO __edge_meta (key, value) VALUES (?, ?)")) {
          st.setString(1, NODE_ID_KEY);
          st.setString(2, chosen);
          st.executeUpdate();
        }
      }
      return chosen;
    });
    return new ReplicaStore(db, id);
  }

  public String nodeId() {
    return nodeId;
  }

  /**
   * Versions every change made locally (by anyone) since the last call; returns them to be shipped.
   * When nothing is pending it does not take the write lock, so it can run often without getting
   * in the way of an operator's {@code sqlite3}.
   */
  public List<RowChange> captureLocal(HybridClock clock) {
    if (!db.hasPendingChanges()) {
      return List.of();
    }
    Txn txn = new Txn();
    List<RowChange> captured = db.inTransaction(c -> {
      try {
        return capture(c, clock, txn);
      } finally {
        txn.close();
      }
    });
    txn.commitDigest();
    return captured;
  }

  /**
   * Merges {@code remote} changes: local pending changes are versioned first (so a local edit is
   * never mistaken for a remote one), then capture is paused while the winners are written.
   */
  public ApplyResult apply(List<RowChange> remote, HybridClock clock) {
    Txn txn = new Txn();
    ApplyResult result = db.inTransaction(c -> {
      try {
        return applyIn(c, remote, clock, txn);
      } finally {
        txn.close();
      }
    });
    txn.commitDigest();
    return result;
  }

  private ApplyResult applyIn(Connection c, List<RowChange> remote, HybridClock clock, Txn txn) throws SQLException {
    {
      List<RowChange> captured = capture(c, clock, txn);
      setCapturePaused(c, true);
      int applied = 0;
      List<RowChange> appliedChanges = new ArrayList<>();
      int stale = 0;
      List<String> rejected = new ArrayList<>();
      for (RowChange change : remote) {
        String problem = ChangeCheck.problemWith(change);
        if (problem != null) {
          rejected.add(problem);
          continue;
        }
        clock.observe(change.version().hlc());
        ReplicatedTable table = ReplicatedTable.named(change.table()).orElseThrow();
        VersionRow current = versionOf(c, table.table(), change.key(), txn);
        if (current != null && !change.version().isNewerThan(current.version())) {
          stale++;
          continue;
        }
        write(c, table, change, txn);
        saveVersion(c, change, current, txn);
        applied++;
        appliedChanges.add(change);
      }
      setCapturePaused(c, false);
      return new ApplyResult(applied, appliedChanges, stale, rejected, captured);
    }
  }

  /**
   * A summary of every row version: {@code buckets} sums of version hashes, the row's bucket chosen
   * by its table and key. Two replicas with equal digests hold the same versions (and so the same
   * rows); a differing bucket says where to look.
   */
  public long[] digest(int buckets) {
    if (buckets == CACHED_BUCKETS) {
      synchronized (this) {
        if (cachedDigest != null) {
          return cachedDigest.clone();
        }
      }
      long[] full = scanDigest(buckets);
      synchronized (this) {
        cachedDigest = full.clone();
      }
      return full;
    }
    return scanDigest(buckets);
  }

  /**
   * The {@link #CACHED_BUCKETS}-bucket digest as it stood for every change whose version is not
   * newer than {@code settledHlc}: newer changes (still in flight to or from peers) are left out,
   * so two replicas that agree on everything settled compare equal while writes are streaming.
   */
  public long[] settledDigest(long settledHlc) {
    long[] digest = digest(CACHED_BUCKETS);
    synchronized (this) {
      for (long[] entry : recent) {
        if (Long.compareUnsigned(entry[0], settledHlc) > 0) {
          digest[(int) entry[1]] -= entry[2];
        }
      }
    }
    return digest;
  }

  private long[] scanDigest(int buckets) {
    return db.inTransaction(c -> {
      long[] sums = new long[buckets];
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT tbl, pk, hlc, node, deleted FROM __edge_versions")) {
        while (rs.next()) {
          String table = rs.getString(1);
          String key = rs.getString(2);
          sums[RowHashes.bucketOf(table, key, buckets)] += RowHashes.versionHash(table, key, rs.getLong(3), rs.getString(4), rs.getInt(5) == 1);
        }
      }
      return sums;
    });
  }

  /** A row's version as held here, without its columns. */
  public record RowVersion(String table, String key, Version version, boolean deleted) {}

  /** Streams the version of every row in the {@code wanted} buckets (the columns are not read). */
  public void versionsIn(BitSet wanted, int buckets, Consumer<RowVersion> sink) {
    db.inTransaction(c -> {
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT tbl, pk, hlc, node, deleted FROM __edge_versions")) {
        while (rs.next()) {
          String table = rs.getString(1);
          String key = rs.getString(2);
          if (wanted.get(RowHashes.bucketOf(table, key, buckets))) {
            sink.accept(new RowVersion(table, key, new Version(rs.getLong(3), rs.getString(4)), rs.getInt(5) == 1));
          }
        }
      }
      return null;
    });
  }

  /** Streams the current state (with versions) of every row in the {@code wanted} buckets. */
  public void rowsIn(BitSet wanted, int buckets, Consumer<RowChange> sink) {
    db.inTransaction(c -> {
      for (ReplicatedTable table : ReplicatedTable.values()) {
        streamTable(c, table, wanted, buckets, sink);
      }
      return null;
    });
  }

  /**
   * Writes a consistent copy of routing.db to {@code target} (which must not exist), for a new
   * POP's bootstrap: rows and their versions as of one moment. Rows not yet versioned are in it
   * without a version and are left out by {@link #importSnapshot}; they follow by push.
   */
  public void snapshotTo(Path target) {
    db.snapshotTo(target);
  }

  /** What {@link #importSnapshot} changed. */
  public record ImportResult(long rowsWritten, long versionsTaken, long maxHlc) {}

  /**
   * Merges a peer's routing.db copy (see {@link #snapshotTo}) into ours in one transaction of
   * plain SQL, by the same rule as {@link #apply}: for each key, the copy's row and version win
   * only over an older version here (a tombstone deletes our row). Capture is paused meanwhile.
   * The file is checked first ({@code PRAGMA quick_check}); a corrupt or foreign file changes
   * nothing. Versions compare as signed integers here: hybrid clock readings stay below 2^63.
   *
   * @throws RoutingDbException naming the file and what was wrong
   */
  public ImportResult importSnapshot(Path file, HybridClock clock) {
    ImportResult result = SnapshotMerge.merge(db, file);
    clock.observe(result.maxHlc());
    synchronized (this) {
      cachedDigest = null; // recomputed by the next digest
      recent.clear();
    }
    return result;
  }

  /** Forgets tombstones older than {@code cutoffHlc}; returns how many. */
  public int compactTombstones(long cutoffHlc) {
    int removed = db.inTransaction(c -> {
      try (PreparedStatement st = c.prepareStatement("DELETE FROM __edge_versions WHERE deleted = 1 AND hlc < ?")) {
        st.setLong(1, cutoffHlc);
        return st.executeUpdate();
      }
    });
    if (removed > 0) {
      synchronized (this) {
        cachedDigest = null; // recomputed by the next digest
      }
    }
    return removed;
  }

  /** Rows with a version, tombstones among them, and the highest clock reading held. */
  public record Stats(long versions, long tombstones, long maxHlc) {}

  public Stats stats() {
    return db.inTransaction(c -> {
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*), coalesce(sum(deleted), 0), coalesce(max(hlc), 0) FROM __edge_versions")) {
        return new Stats(rs.getLong(1), rs.getLong(2), rs.getLong(3));
      }
    });
  }

  private List<RowChange> capture(Connection c, HybridClock clock, Txn txn) throws SQLException {
    Map<String, long[]> pending = new LinkedHashMap<>(); // "table\0key" -> {max wall}
    long lastSeq = -1;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT seq, tbl, pk, wall_ms FROM __edge_pending ORDER BY seq")) {
      while (rs.next()) {
        lastSeq = rs.getLong(1);
        String key = rs.getString(3);
        if (key == null) {
          continue; // a row without a key cannot be replicated (and is skipped at load)
        }
        long wall = rs.getLong(4);
        pending.merge(rs.getString(2) + '\0' + key, new long[] {wall}, (a, b) -> new long[] {Math.max(a[0], b[0])});
      }
    }
    if (lastSeq < 0) {
      return List.of();
    }
    List<RowChange> changes = new ArrayList<>(pending.size());
    for (Map.Entry<String, long[]> e : pending.entrySet()) {
      int sep = e.getKey().indexOf('\0');
      ReplicatedTable table = ReplicatedTable.named(e.getKey().substring(0, sep)).orElse(null);
      if (table == null) {
        continue;
      }
      String key = e.getKey().substring(sep + 1);
      Version version = new Version(clock.tick(e.getValue()[0]), nodeId);
      Map<String, @Nullable Object> row = readRow(c, table, key, txn);
      RowChange change = row == null ? RowChange.tombstone(table.table(), key, version)
          : new RowChange(table.table(), key, version, row, false);
      saveVersion(c, change, versionOf(c, table.table(), key, txn), txn);
      changes.add(change);
    }
    try (PreparedStatement st = c.prepareStatement("DELETE FROM __edge_pending WHERE seq <= ?")) {
      st.setLong(1, lastSeq);
      st.executeUpdate();
    }
    return changes;
  }

  private static @Nullable Map<String, @Nullable Object> readRow(Connection c, ReplicatedTable table, String key, Txn txn)
      throws SQLException {
    PreparedStatement st = txn.prepare(c, "SELECT " + String.join(", ", table.valueColumns())
        + " FROM " + table.table() + " WHERE " + table.keyColumn() + " = ?");
    {
      st.setString(1, key);
      try (ResultSet rs = st.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        Map<String, @Nullable Object> row = new LinkedHashMap<>();
        for (int i = 0; i < table.valueColumns().size(); i++) {
          row.put(table.valueColumns().get(i), rs.getObject(i + 1));
        }
        return row;
      }
    }
  }

  private static void streamTable(Connection c, ReplicatedTable table, BitSet wanted, int buckets, Consumer<RowChange> sink)
      throws SQLException {
    String columns = String.join(", ", table.valueColumns().stream().map(col -> "t." + col).toList());
    try (PreparedStatement st = c.prepareStatement("SELECT v.pk, v.hlc, v.node, v.deleted, t." + table.keyColumn() + ", "
        + columns + " FROM __edge_versions v LEFT JOIN " + table.table() + " t ON t." + table.keyColumn()
        + " = v.pk WHERE v.tbl = ?")) {
      st.setString(1, table.table());
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          String key = rs.getString(1);
          if (!wanted.get(RowHashes.bucketOf(table.table(), key, buckets))) {
            continue;
          }
          Version version = new Version(rs.getLong(2), rs.getString(3));
          if (rs.getInt(4) == 1 || rs.getObject(5) == null) {
            sink.accept(RowChange.tombstone(table.table(), key, version));
            continue;
          }
          Map<String, @Nullable Object> row = new LinkedHashMap<>();
          for (int i = 0; i < table.valueColumns().size(); i++) {
            row.put(table.valueColumns().get(i), rs.getObject(6 + i));
          }
          sink.accept(new RowChange(table.table(), key, version, row, false));
        }
      }
    }
  }

  /** A stored row version. */
  private record VersionRow(Version version, boolean deleted) {}

  private static @Nullable VersionRow versionOf(Connection c, String table, String key, Txn txn) throws SQLException {
    PreparedStatement st = txn.prepare(c, "SELECT hlc, node, deleted FROM __edge_versions WHERE tbl = ? AND pk = ?");
    st.setString(1, table);
    st.setString(2, key);
    try (ResultSet rs = st.executeQuery()) {
      return rs.next() ? new VersionRow(new Version(rs.getLong(1), rs.getString(2)), rs.getInt(3) == 1) : null;
    }
  }

  private static void write(Connection c, ReplicatedTable table, RowChange change, Txn txn) throws SQLException {
    if (change.deleted()) {
      PreparedStatement st = txn.prepare(c, "DELETE FROM " + table.table() + " WHERE " + table.keyColumn() + " = ?");
      st.setString(1, change.key());
      st.executeUpdate();
      return;
    }
    List<String> columns = new ArrayList<>();
    columns.add(table.keyColumn());
    columns.addAll(change.columns().keySet());
    String marks = String.join(", ", columns.stream().map(col -> "?").toList());
    PreparedStatement st = txn.prepare(c, "INSERT OR REPLACE INTO " + table.table() + " ("
        + String.join(", ", columns) + ") VALUES (" + marks + ")");
    st.setString(1, change.key());
    int i = 2;
    for (Object value : change.columns().values()) {
      st.setObject(i++, value);
    }
    st.executeUpdate();
  }

  private static void saveVersion(Connection c, RowChange change, @Nullable VersionRow previous, Txn txn) throws SQLException {
    PreparedStatement st = txn.prepare(c,
        "INSERT OR REPLACE INTO __edge_versions (tbl, pk, hlc, node, deleted) VALUES (?, ?, ?, ?, ?)");
    st.setString(1, change.table());
    st.setString(2, change.key());
    st.setLong(3, change.version().hlc());
    st.setString(4, change.version().node());
    st.setInt(5, change.deleted() ? 1 : 0);
    st.executeUpdate();
    int bucket = RowHashes.bucketOf(change.table(), change.key(), CACHED_BUCKETS);
    long delta = RowHashes.versionHash(change.table(), change.key(), change.version().hlc(), change.version().node(), change.deleted());
    if (previous != null) {
      delta -= RowHashes.versionHash(change.table(), change.key(), previous.version().hlc(), previous.version().node(), previous.deleted());
    }
    txn.digestDelta(bucket, delta, change.version().hlc());
  }

  /**
   * One transaction's prepared statements (compiled once, reused for every row) and its digest
   * changes, which reach the in-memory digest only once the transaction has committed.
   */
  private final class Txn {
    private final Map<String, PreparedStatement> statements = new java.util.HashMap<>();
    private final long[] deltas = new long[CACHED_BUCKETS];
    private boolean touched;

    PreparedStatement prepare(Connection c, String sql) throws SQLException {
      PreparedStatement st = statements.get(sql);
      if (st == null) {
        st = c.prepareStatement(sql);
        statements.put(sql, st);
      }
      return st;
    }

    private final List<long[]> changes = new ArrayList<>();

    void digestDelta(int bucket, long delta, long hlc) {
      deltas[bucket] += delta;
      changes.add(new long[] {hlc, bucket, delta});
      touched = true;
    }

    void close() {
      for (PreparedStatement st : statements.values()) {
        try {
          st.close();
        } catch (SQLException e) {
          // closing a statement of a finished transaction; nothing to do
        }
      }
    }

    void commitDigest() {
      if (!touched) {
        return;
      }
      synchronized (ReplicaStore.this) {
        if (cachedDigest != null) {
          for (int i = 0; i < CACHED_BUCKETS; i++) {
            cachedDigest[i] += deltas[i];
          }
        }
        recent.addAll(changes);
        long horizon = HybridClock.fromMillis(System.currentTimeMillis() - RECENT_MILLIS);
        while (!recent.isEmpty() && Long.compareUnsigned(recent.peekFirst()[0], horizon) < 0) {
          recent.removeFirst();
        }
      }
    }
  }

  static void setCapturePaused(Connection c, boolean paused) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.executeUpdate("UPDATE __edge_capture SET paused = " + (paused ? 1 : 0) + " WHERE id = 1");
    }
  }

  private static @Nullable String meta(Connection c, String key) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT value FROM __edge_meta WHERE key = ?")) {
      st.setString(1, key);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }
}
