package io.edgeproxy.sql;

import io.edgeproxy.core.change.Cell;
import io.edgeproxy.core.change.ChangeSet;
import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.core.change.Merge;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.change.Version;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Turns what the capture triggers recorded ({@code __edge_pending}) into versions: one
 * transaction of this POP, numbered by a fresh clock reading. Per row:
 *
 * <ul>
 *   <li>the row is there but was deleted (or never seen): a new life, causal length + 1 and at
 *       least one derived from the time (see {@link #lifeLength}), every column versioned;
 *   <li>the row is there and alive: the columns an update changed get the new version (every
 *       column for an insert over it, e.g. {@code INSERT OR REPLACE});
 *   <li>the row is gone but was alive: a delete, causal length + 1.
 * </ul>
 *
 * <p>Versions are normally the transaction's reading. An edit captured more than
 * {@link #PAST_AFTER_MILLIS} after it was made (written while no agent ran, or found in a restored
 * copy) is versioned at the time it was made, and a row that predates capture (recorded with
 * time 0) at the oldest version there is: neither may beat newer writes made elsewhere meanwhile.
 * A {@code MAX}-merged column written below its current value is put back (it only moves forward).
 */
final class LocalCapture {
  static final long PAST_AFTER_MILLIS = 10_000;
  /** Pending rows whose table rows and clocks are read together, before they are versioned. */
  private static final int ROWS_PER_READ = 1_024;
  /**
   * A clock-counter bit every version from the past carries and live readings do not (their
   * counter stays far below it), so a version tells whether it is the reading of the transaction
   * that carried it (see {@link KeptDeletes}).
   */
  static final long PAST_COUNTER = 0x8000;

  /** What one row's pending entries say. */
  private static final class Pending {
    boolean rowLevel;
    final Set<String> columns = new HashSet<>();
    long wallMs;
  }

  private LocalCapture() {}

  /** This POP's pending changes as one transaction, and how it moved row hashes; null when nothing is pending. */
  static ReplicaStore.@Nullable Capture capture(Statements st, ReplicatedSchema schema, String self, HybridClock clock, long previousTxn)
      throws SQLException {
    Map<RowKey, Pending> pending = new LinkedHashMap<>();
    long lastSeq = -1;
    try (ResultSet rs = st.prepare("SELECT seq, tbl, pk, col, wall_ms FROM __edge_pending ORDER BY seq").executeQuery()) {
      while (rs.next()) {
        lastSeq = rs.getLong(1);
        String key = rs.getString(3);
        if (key == null || schema.table(rs.getString(2)).isEmpty()) {
          continue; // a row without a key cannot be replicated (and is skipped at load)
        }
        Pending p = pending.computeIfAbsent(new RowKey(rs.getString(2), key), k -> new Pending());
        String column = rs.getString(4);
        if (column == null) {
          p.rowLevel = true;
        } else {
          p.columns.add(column);
        }
        p.wallMs = Math.max(p.wallMs, rs.getLong(5));
      }
    }
    if (lastSeq < 0) {
      return null;
    }
    st.update("DELETE FROM __edge_pending WHERE seq <= ?", lastSeq);
    long txn = clock.tick();
    List<DigestDelta> deltas = new ArrayList<>();
    Clocks clocks = new Clocks(st, deltas::add);
    List<RowChange> rows = new ArrayList<>();
    Stamp stamp = new Stamp(self, txn, clock.wallMillis());
    List<RowKey> keys = List.copyOf(pending.keySet());
    for (int from = 0; from < keys.size(); from += ROWS_PER_READ) { // a bulk edit of 100,000 rows is not read at once
      List<RowKey> slice = keys.subList(from, Math.min(keys.size(), from + ROWS_PER_READ));
      Map<String, Before> before = readBefore(st, clocks, schema, slice);
      for (RowKey rowKey : slice) {
        Before b = before.get(rowKey.table());
        String key = rowKey.key();
        RowChange row = captureRow(st, clocks, b.table(), key, pending.get(rowKey), stamp, b.bases().get(key), b.clocks().get(key));
        if (row != null) {
          rows.add(row);
        }
      }
    }
    if (rows.isEmpty()) {
      return null;
    }
    st.update("INSERT INTO __edge_holds (origin, hlc) VALUES (?, ?) ON CONFLICT(origin) DO UPDATE SET hlc = max(hlc, excluded.hlc)",
        self, txn);
    return new ReplicaStore.Capture(new ChangeSet(self, previousTxn, txn, rows), deltas);
  }

  /** What a table's rows and their clocks held before the capture, read for all its pending keys at once. */
  private record Before(ReplicatedTable table, Map<String, Map<String, @Nullable Object>> bases,
      Map<String, Clocks.RowClock> clocks) {}

  private static Map<String, Before> readBefore(Statements st, Clocks clocks, ReplicatedSchema schema, List<RowKey> rows)
      throws SQLException {
    Map<String, List<String>> keys = new LinkedHashMap<>();
    for (RowKey row : rows) {
      keys.computeIfAbsent(row.table(), t -> new ArrayList<>()).add(row.key());
    }
    Map<String, Before> out = new LinkedHashMap<>();
    for (var entry : keys.entrySet()) {
      ReplicatedTable table = schema.table(entry.getKey()).orElseThrow();
      out.put(entry.getKey(), new Before(table, BaseRows.readAll(st, table, entry.getValue()),
          clocks.readAll(entry.getKey(), entry.getValue())));
    }
    return out;
  }

  /** The versions a capture hands out. */
  private record Stamp(String self, long txn, long nowMs) {
    /** The version of a change recorded at {@code wallMs}, above {@code floor} (the row's newest version). */
    Version versionFor(long wallMs, @Nullable Version floor) {
      long hlc = txn;
      if (wallMs == 0 || nowMs - wallMs > PAST_AFTER_MILLIS) {
        hlc = wallMs == 0 ? 0 : HybridClock.fromMillis(wallMs) | PAST_COUNTER;
        if (floor != null && Long.compareUnsigned(hlc, floor.hlc()) <= 0) {
          hlc = (floor.hlc() + 1) | PAST_COUNTER;
        }
      }
      return new Version(hlc, self);
    }
  }

  /**
   * Versions one row's pending change. {@code base}: the row as the table holds it now (null:
   * gone); {@code before}: its clock before this capture (null: never seen).
   */
  private static @Nullable RowChange captureRow(Statements st, Clocks clocks, ReplicatedTable table, String key, Pending p,
      Stamp stamp, @Nullable Map<String, @Nullable Object> base, Clocks.@Nullable RowClock before) throws SQLException {
    Clocks.Existence existence = before == null ? null : before.existence();
    Version version = stamp.versionFor(p.wallMs, before == null ? null : before.newest());
    if (base == null) {
      return existence == null || !existence.exists() ? null // deleted before it was ever captured, or already a tombstone
          : deleted(clocks, table, key, before, version);
    }
    if (existence == null || !existence.exists()) {
      return born(clocks, table, key, before, version, base);
    }
    return updated(st, clocks, table, key, p, before, version, base);
  }

  /** The row is gone but was alive: a delete, causal length + 1. */
  private static RowChange deleted(Clocks clocks, ReplicatedTable table, String key, Clocks.RowClock before, Version version)
      throws SQLException {
    Clocks.Existence deleted = new Clocks.Existence(before.existence().cl() + 1, version);
    clocks.write(table.name(), key, before, new Clocks.RowClock(deleted, Map.of()));
    return RowChange.tombstone(table.name(), key, deleted.cl(), version);
  }

  /** The row is there but was deleted or never seen: a new life, every column versioned. */
  private static RowChange born(Clocks clocks, ReplicatedTable table, String key, Clocks.@Nullable RowClock before,
      Version version, Map<String, @Nullable Object> base) throws SQLException {
    Clocks.Existence born = new Clocks.Existence(lifeLength(before == null ? 0 : before.existence().cl(), version), version);
    Map<String, Clocks.StoredCell> cells = new LinkedHashMap<>();
    for (String column : table.valueColumns()) {
      cells.put(column, stored(table, column, version, base.get(column)));
    }
    Clocks.RowClock after = new Clocks.RowClock(born, cells);
    clocks.write(table.name(), key, before, after);
    return state(table, key, after, base);
  }

  /**
   * The row is there and alive: the columns the change wrote get the new version (every column for
   * a row-level write, such as {@code INSERT OR REPLACE}); null if none did.
   */
  private static @Nullable RowChange updated(Statements st, Clocks clocks, ReplicatedTable table, String key, Pending p,
      Clocks.RowClock before, Version version, Map<String, @Nullable Object> base) throws SQLException {
    Map<String, Clocks.StoredCell> cells = new LinkedHashMap<>(before.cells());
    boolean changed = false;
    Map<String, Object> putBack = null;
    for (String column : table.valueColumns()) {
      if (!p.rowLevel && !p.columns.contains(column)) {
        continue;
      }
      Clocks.StoredCell was = cells.get(column);
      Object value = base.get(column);
      if (was != null && table.keepsValue(column)) {
        int order = Merge.compareValues(value, was.value());
        if (order < 0) {
          putBack = putBack == null ? new LinkedHashMap<>() : putBack;
          putBack.put(column, was.value()); // a MAX column only moves forward
          continue;
        }
        if (order == 0 && p.rowLevel) {
          continue; // rewritten unchanged: keep its version
        }
      }
      cells.put(column, stored(table, column, version, value));
      changed = true;
    }
    if (putBack != null) {
      ReplicaStore.setCapturePaused(st, true);
      BaseRows.upsert(st, table, key, putBack);
      ReplicaStore.setCapturePaused(st, false);
      base.putAll(putBack);
    }
    if (!changed) {
      return null;
    }
    Clocks.RowClock after = new Clocks.RowClock(before.existence(), cells);
    clocks.write(table.name(), key, before, after);
    return state(table, key, after, base);
  }

  /**
   * The causal length of a life begun at {@code version} on a row whose length was {@code previous}
   * (0: never seen here; else even, a tombstone): one more, and at least 2 ms + 1 of the version's
   * time. A life begun later therefore has a longer length than every life begun before it and every
   * delete of those, whatever this POP has seen of them: a row inserted again after its tombstone was
   * compacted away wins over that delete on POPs that still hold it, and so does a row inserted
   * again over an older tombstone brought back by a rejoin's kept deletes, after a later delete of
   * the row was compacted (the simulator, seed 306: with "one more" alone the new life got the
   * length of an old one and lost to that life's delete, still held elsewhere). A delete stays one
   * more than the life it ended: it ends that life and older ones, never a life begun after it that
   * its POP had not seen. No key is inserted twice a millisecond for the life of a tombstone. Rows
   * that predate capture (version 0) start at 1, the oldest life there is.
   */
  static long lifeLength(long previous, Version version) {
    return Math.max(previous + 1, 2 * HybridClock.millisOf(version.hlc()) + 1);
  }

  private static Clocks.StoredCell stored(ReplicatedTable table, String column, Version version, @Nullable Object value) {
    return new Clocks.StoredCell(version, false, table.keepsValue(column) ? value : null);
  }

  /** The row's whole replicated state after the capture: values from the table, or from kept cells. */
  private static RowChange state(ReplicatedTable table, String key, Clocks.RowClock clock, Map<String, @Nullable Object> base) {
    Map<String, Cell> out = new LinkedHashMap<>();
    for (var cell : clock.cells().entrySet()) {
      Object value = cell.getValue().kept() ? cell.getValue().value() : base.get(cell.getKey());
      out.put(cell.getKey(), new Cell(value, cell.getValue().version()));
    }
    return new RowChange(table.name(), key, clock.existence().cl(), clock.existence().version(), out);
  }
}
