package io.edgeproxy.sql;

import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.change.ChangeSet;
import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.core.change.RowChange;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * routing.db as a replica: the SQL primitives replication is built from. It versions local changes
 * (captured by triggers), merges rows from other POPs column by column ({@link
 * io.edgeproxy.core.change.Merge}), reads rows and row hashes back, replaces everything with a
 * peer's copy, compacts old tombstones, and keeps what the protocol persists: which transactions
 * of each origin this replica holds, which tombstones it compacted, changes held for clock skew,
 * and the members it has seen. Protocol decisions (when to sync, with whom, what to send) are the
 * replication module's.
 *
 * <p>Every method runs on routing.db's writer connection, one transaction each; callers
 * serialise on it. Results that move row hashes carry {@link DigestDelta}s, reported only for
 * committed transactions.
 */
public final class ReplicaStore {
  private static final String NODE_ID_KEY = "node_id";
  private static final String LAST_SYNC_KEY = "last_sync_ms";

  private final RoutingDb db;
  private final String nodeId;
  private volatile ReplicatedSchema schema;

  private ReplicaStore(RoutingDb db, String nodeId, ReplicatedSchema schema) {
    this.db = db;
    this.nodeId = nodeId;
    this.schema = schema;
  }

  /** Local changes versioned as one transaction of this POP. */
  public record Capture(ChangeSet set, List<DigestDelta> deltas) {}

  /**
   * Rows to merge, and the origin's transactions they complete when none of them is refused or held.
   * {@code rows} is read once, as they are merged, and not copied: a list that decodes each row when
   * it is read (as replication's does) keeps the rows waiting in their compact form until then.
   */
  public record Batch(List<RowChange> rows, @Nullable HoldsAdvance advance) {
    public Batch {
      rows = Collections.unmodifiableList(rows);
    }
  }

  /** Raise what this replica holds of {@code origin} to {@code to}, if it holds at least {@code from}. */
  public record HoldsAdvance(String origin, long from, long to) {}

  /**
   * A local change a rejoin dropped: the peer's copy did not have it.
   *
   * @param column the column, or "(inserted)" / "(deleted)" for the row's existence
   * @param cl the causal length of the row's life the change belongs to
   */
  public record LostChange(RowKey row, String column, @Nullable String value, long hlc, long cl) {}

  /**
   * What replacing this replica with a peer's copy did: rows copied, local changes the copy lacked
   * (dropped, and reported), and rows alive in the copy that this POP had deleted (deleted again;
   * see {@link KeptDeletes}).
   */
  public record ReplaceResult(long rowsCopied, List<LostChange> lost, int deletedAgain, long maxHlc, boolean deferred) {
    /**
     * Nothing was replaced: a writer (sqlite3, the CLI) committed changes after this POP last
     * captured, and a copy would drop them unversioned and unreported. Capture, then decide again.
     */
    static ReplaceResult deferredByPendingChanges() {
      return new ReplaceResult(0, List.of(), 0, 0, true);
    }
  }

  /** What compaction or lease forgetting removed. */
  public record Removal(int rows, List<DigestDelta> deltas) {}

  /** A POP this one has seen. */
  public record Member(String node, String region, String address, long lastSeenMs) {}

  /**
   * Row versions held (tombstones among them), rows with values kept aside for a newer schema, and
   * changes held for clock skew.
   */
  public record Stats(long rows, long tombstones, long kept, long held) {}

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
    return new ReplicaStore(db, id, db.inTransaction(ReplicatedSchema::read));
  }

  public String nodeId() {
    return nodeId;
  }

  public ReplicatedSchema schema() {
    return schema;
  }

  /**
   * Versions every change made locally (by anyone) since the last call, as one transaction; null
   * when there was none. When nothing is pending it does not take the write lock, so it can run
   * often without getting in the way of an operator's {@code sqlite3}.
   */
  public @Nullable Capture captureLocal(HybridClock clock) {
    if (!db.hasPendingChanges()) {
      return null;
    }
    return db.transact(st -> capture(st, clock));
  }

  private @Nullable Capture capture(Statements st, HybridClock clock) throws SQLException {
    return LocalCapture.capture(st, schema, nodeId, clock, holdsOf(st, nodeId));
  }

  /**
   * Merges rows from other POPs in one transaction: local pending changes are versioned first (so a
   * local edit is never mistaken for a remote one), malformed rows are refused, rows stamped too far
   * ahead of {@code clock} are held, the rest merge with capture paused. A batch's holds advance
   * applies only when the batch was clean and what it starts from is held.
   */
  public ApplyResult apply(List<Batch> batches, HybridClock clock) {
    return db.transact(st -> {
      Capture captured = capture(st, clock);
      ApplyRun run = new ApplyRun(st, schema, clock, originMap(st, "__edge_horizons"));
      setCapturePaused(st, true);
      List<Boolean> clean = new ArrayList<>();
      for (Batch batch : batches) {
        boolean ok = run.mergeAll(batch.rows());
        if (ok && batch.advance() != null) {
          advance(st, batch.advance());
        }
        clean.add(ok);
      }
      setCapturePaused(st, false);
      return run.result(clean, captured);
    });
  }

  /** Merges held rows whose time has come ({@code clock} within the skew bound of them). */
  public ApplyResult releaseHeld(HybridClock clock) {
    return db.transact(st -> {
      List<RowChange> due = new ArrayList<>();
      List<Long> seqs = new ArrayList<>();
      PreparedStatement select = st.prepare("SELECT seq, row FROM __edge_held WHERE release_ms <= ? ORDER BY seq");
      select.setLong(1, clock.wallMillis());
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          seqs.add(rs.getLong(1));
          due.add(RowChangeCodec.decode(rs.getBytes(2)));
        }
      }
      for (long seq : seqs) {
        st.update("DELETE FROM __edge_held WHERE seq = ?", seq);
      }
      ApplyRun run = new ApplyRun(st, schema, clock, originMap(st, "__edge_horizons"));
      setCapturePaused(st, true);
      boolean ok = run.mergeAll(due);
      setCapturePaused(st, false);
      return run.result(List.of(ok), null);
    });
  }

  /** The earliest time a held row may be released, or empty. */
  public java.util.OptionalLong nextRelease() {
    return db.readLatest(c -> {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT min(release_ms) FROM __edge_held")) {
        long v = rs.getLong(1);
        return rs.wasNull() ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(v);
      }
    });
  }

  private static void advance(Statements st, HoldsAdvance a) throws SQLException {
    st.update("INSERT INTO __edge_holds (origin, hlc) SELECT ?, ? WHERE ? <= 0 OR ? <= coalesce((SELECT hlc FROM __edge_holds WHERE origin = ?), 0)"
        + " ON CONFLICT(origin) DO UPDATE SET hlc = max(hlc, excluded.hlc)", a.origin(), a.to(), a.from(), a.from(), a.origin());
  }

  /** Streams the hash of every row {@code wanted} accepts, in key order (see {@link RowHashes}). */
  public void rowHashes(Predicate<RowKey> wanted, BiConsumer<RowKey, Long> sink) {
    db.transact(st -> {
      RowReader.hashes(st, wanted, sink);
      return null;
    });
  }

  /** Streams the whole state of every row {@code wanted} accepts. */
  public void rows(Predicate<RowKey> wanted, Consumer<RowChange> sink) {
    db.transact(st -> {
      RowReader.rows(st, schema, wanted, sink);
      return null;
    });
  }

  /** The whole state of each of {@code keys} this replica has (rows it never saw are left out). */
  public List<RowChange> rows(Collection<RowKey> keys) {
    return db.transact(st -> {
      List<RowChange> out = new ArrayList<>(keys.size());
      for (RowKey key : keys) {
        RowChange row = RowReader.read(st, schema, key);
        if (row != null) {
          out.add(row);
        }
      }
      return out;
    });
  }

  /**
   * Writes a consistent copy of routing.db to {@code target} (which must not exist), for a peer's
   * bootstrap or rejoin. Pending local changes should be captured first so the copy carries them.
   */
  public void snapshotTo(Path target) {
    db.snapshotTo(target);
  }

  /**
   * Replaces every replicated table and its versions with a peer's copy ({@link #snapshotTo}),
   * in one transaction. Changes of this POP newer than {@code peerHoldsSelf} that the copy lacks are
   * returned as lost. The file is checked first; a corrupt or foreign file changes nothing.
   *
   * @throws RoutingDbException naming the file and what was wrong
   */
  public ReplaceResult replaceFrom(Path file, long peerHoldsSelf) {
    ReplaceResult result = SnapshotReplace.replace(db, file, schema, nodeId, peerHoldsSelf);
    schema = db.inTransaction(ReplicatedSchema::read);
    return result;
  }

  /**
   * Only tombstones within what this replica holds of their origin are compacted: so what it has
   * compacted (its horizon) never runs ahead of what it holds, and a POP that synced with it is
   * never taken for stale because of it.
   */
  private static final String HELD_BY_HOLDS =
      " AND hlc <= coalesce((SELECT h.hlc FROM __edge_holds h WHERE h.origin = __edge_rows.node), 0)";

  /**
   * Forgets tombstones older than {@code cutoffHlc} (and within what this replica holds of their
   * origin) and remembers, per origin, the newest one forgotten (a peer that never saw those
   * deletes must rejoin from a copy rather than sync).
   */
  public Removal compactTombstones(long cutoffHlc) {
    return db.inTransaction(c -> {
      List<DigestDelta> deltas = new ArrayList<>();
      Map<String, Long> newest = new LinkedHashMap<>();
      try (PreparedStatement st = c.prepareStatement("SELECT tbl, pk, cl, hlc, node FROM __edge_rows WHERE cl % 2 = 0 AND hlc < ?" + HELD_BY_HOLDS)) {
        st.setLong(1, cutoffHlc);
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            var version = new io.edgeproxy.core.change.Version(rs.getLong(4), rs.getString(5));
            RowKey row = new RowKey(rs.getString(1), rs.getString(2));
            deltas.add(new DigestDelta(row, -RowHashes.existenceHash(row.table(), row.key(), rs.getLong(3), version), version.hlc()));
            newest.merge(version.node(), version.hlc(), Math::max);
          }
        }
      }
      if (deltas.isEmpty()) {
        return new Removal(0, List.of());
      }
      try (PreparedStatement st = c.prepareStatement("DELETE FROM __edge_rows WHERE cl % 2 = 0 AND hlc < ?" + HELD_BY_HOLDS)) {
        st.setLong(1, cutoffHlc);
        st.executeUpdate();
      }
      try (Statements st = new Statements(c)) {
        for (var e : newest.entrySet()) {
          st.update("INSERT INTO __edge_horizons (origin, hlc) VALUES (?, ?) ON CONFLICT(origin) DO UPDATE SET hlc = max(hlc, excluded.hlc)",
              e.getKey(), e.getValue());
        }
      }
      return new Removal(deltas.size(), deltas);
    });
  }

  /**
   * Forgets, without tombstones, registrations whose lease ended more than {@code afterMs} before
   * {@code nowMs}, with the backend row each owns (one whose life began no later than the
   * registration's: a backend row created after it is left). Every POP forgets them by the same
   * replicated facts, and remembers what it forgot for {@code rememberMs} ({@link ForgottenLeases}):
   * the same registration offered back by a POP that has not forgotten it yet is refused, while a
   * newer lease end (a heartbeat elsewhere) brings it back, so nothing alive is lost.
   */
  public Removal forgetExpiredLeases(long nowMs, long afterMs, long rememberMs) {
    return db.inTransaction(c -> {
      Map<String, Long> ends = new LinkedHashMap<>();
      try (PreparedStatement st = c.prepareStatement("SELECT id, expires_ms FROM registrations WHERE expires_ms + ? < ?")) {
        st.setLong(1, afterMs);
        st.setLong(2, nowMs);
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            ends.put(rs.getString(1), rs.getLong(2));
          }
        }
      }
      List<DigestDelta> deltas = new ArrayList<>();
      setCapturePaused(c, true);
      try (Statements st = new Statements(c)) {
        ForgottenLeases.purge(st, nowMs - rememberMs);
        Clocks clocks = new Clocks(st, deltas::add);
        for (var end : ends.entrySet()) {
          String id = end.getKey();
          Clocks.RowClock lease = clocks.read(Tables.REGISTRATIONS, id);
          Clocks.RowClock backend = clocks.read(Tables.BACKENDS, id);
          if (lease != null) {
            Clocks.Existence life = lease.existence();
            ForgottenLeases.remember(st, id, new ForgottenLeases.Lease(life.cl(), life.version(), end.getValue()), nowMs);
          }
          forget(st, clocks, Tables.REGISTRATIONS, id);
          boolean owned = lease == null || backend == null
              || (backend.existence().exists() && !backend.existence().version().isNewerThan(lease.existence().version()));
          if (owned) {
            forget(st, clocks, Tables.BACKENDS, id);
          }
        }
      }
      setCapturePaused(c, false);
      return new Removal(ends.size(), deltas);
    });
  }

  private void forget(Statements st, Clocks clocks, String table, String id) throws SQLException {
    ReplicatedTable t = schema.table(table).orElse(null);
    if (t != null) {
      BaseRows.delete(st, t, id);
      clocks.forget(table, id, 0);
    }
  }

  /** Per origin, the newest of its transactions up to which this replica holds all of them. */
  public Map<String, Long> holds() {
    return db.readLatest(c -> originMap(c, "__edge_holds"));
  }

  /** Per origin, the newest tombstone this replica compacted away. */
  public Map<String, Long> horizons() {
    return db.readLatest(c -> originMap(c, "__edge_horizons"));
  }

  static Map<String, Long> horizons(Connection c) throws SQLException {
    return originMap(c, "__edge_horizons");
  }

  private static Map<String, Long> originMap(Connection c, String table) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT origin, hlc FROM " + table + " ORDER BY origin")) {
      return originMap(rs);
    }
  }

  private static Map<String, Long> originMap(Statements st, String table) throws SQLException {
    try (ResultSet rs = st.prepare("SELECT origin, hlc FROM " + table + " ORDER BY origin").executeQuery()) {
      return originMap(rs);
    }
  }

  private static Map<String, Long> originMap(ResultSet rs) throws SQLException {
    Map<String, Long> out = new LinkedHashMap<>();
    while (rs.next()) {
      out.put(rs.getString(1), rs.getLong(2));
    }
    return out;
  }

  private static long holdsOf(Statements st, String origin) throws SQLException {
    PreparedStatement holds = st.prepare("SELECT hlc FROM __edge_holds WHERE origin = ?");
    holds.setString(1, origin);
    try (ResultSet rs = holds.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** Records that {@code member} was seen (now); every POP ever seen counts for write receipts. */
  public void rememberMember(Member member) {
    db.write("INSERT INTO __edge_members (node, region, address, last_seen_ms) VALUES (?, ?, ?, ?)"
        + " ON CONFLICT(node) DO UPDATE SET region = excluded.region, address = excluded.address,"
        + " last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)", member.node(), member.region(), member.address(),
        member.lastSeenMs());
  }

  /** Forgets a POP that left the cluster for good; true if it was known. */
  public boolean forgetMember(String node) {
    return db.write("DELETE FROM __edge_members WHERE node = ?", node) > 0;
  }

  public List<Member> members() {
    return members(db);
  }

  /** The POPs {@code db} remembers having replicated with, read without opening a replica (nothing is written). */
  public static List<Member> members(RoutingDb db) {
    return db.readLatest(c -> {
      List<Member> out = new ArrayList<>();
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT node, region, address, last_seen_ms FROM __edge_members ORDER BY node")) {
        while (rs.next()) {
          out.add(new Member(rs.getString(1), String.valueOf(rs.getString(2)), String.valueOf(rs.getString(3)), rs.getLong(4)));
        }
      }
      return out;
    });
  }

  public Stats stats() {
    return db.readLatest(c -> {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM __edge_rows),"
          + " (SELECT count(*) FROM __edge_rows WHERE cl % 2 = 0), (SELECT count(*) FROM __edge_rows WHERE kept = 1),"
          + " (SELECT count(*) FROM __edge_held)")) {
        return new Stats(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
      }
    });
  }

  /** The newest clock reading in any version held here (to restore the clock at start). */
  public long newestVersion() {
    return db.readLatest(c -> {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT max(coalesce((SELECT max(newest) FROM __edge_rows), 0),"
          + " coalesce((SELECT max(hlc) FROM __edge_holds), 0))")) {
        return rs.getLong(1);
      }
    });
  }

  /** When this replica last completed anti-entropy with any peer (ms since the epoch; 0: never). */
  public long lastSyncMs() {
    return db.readLatest(c -> {
      String v = meta(c, LAST_SYNC_KEY);
      return v == null ? 0L : Long.parseLong(v);
    });
  }

  /** Remembers {@link #lastSyncMs()} across restarts. */
  public void recordSync(long atMs) {
    db.write("INSERT INTO __edge_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"
        + " WHERE CAST(value AS INTEGER) < CAST(excluded.value AS INTEGER)", LAST_SYNC_KEY, Long.toString(atMs));
  }

  /** Pauses (or resumes) the capture triggers for the rest of the transaction: merged rows are not local changes. */
  static void setCapturePaused(Connection c, boolean paused) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(PAUSE_CAPTURE)) {
      st.setInt(1, paused ? 1 : 0);
      st.executeUpdate();
    }
  }

  /** As {@link #setCapturePaused(Connection, boolean)}, with a statement compiled once. */
  static void setCapturePaused(Statements st, boolean paused) throws SQLException {
    st.update(PAUSE_CAPTURE, paused ? 1 : 0);
  }

  private static final String PAUSE_CAPTURE = "UPDATE __edge_capture SET paused = ? WHERE id = 1";

  private static @Nullable String meta(Connection c, String key) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT value FROM __edge_meta WHERE key = ?")) {
      st.setString(1, key);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }
}
