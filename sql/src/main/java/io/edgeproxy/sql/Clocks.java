package io.edgeproxy.sql;

import io.edgeproxy.core.change.Version;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The versions of replicated rows ({@code __edge_rows}): per row its existence and the cells of its
 * current life, read and written as one SQLite row, reporting every change to a row's hash as
 * {@link DigestDelta}s (one per item, each tagged with its own version).
 */
final class Clocks {
  /** A row's existence: causal length and the version that set it. */
  record Existence(long cl, Version version) {
    boolean exists() {
      return (cl & 1) == 1;
    }
  }

  /** A cell as stored: its version, and its value when it is kept here. */
  record StoredCell(Version version, boolean kept, @Nullable Object value) {}

  /**
   * A row's whole clock: its existence, and the cells of its current life (none when deleted). The
   * map is taken as it is, neither copied nor wrapped (one per row read or written, iterated per
   * cell on the capture and merge paths): callers hand over a map they no longer change, and
   * readers never change it.
   */
  record RowClock(Existence existence, Map<String, StoredCell> cells) {
    boolean hasKept() {
      for (StoredCell cell : cells.values()) {
        if (cell.kept()) {
          return true;
        }
      }
      return false;
    }

    /** The newest version among the existence and every cell. */
    Version newest() {
      Version newest = existence.version();
      for (StoredCell cell : cells.values()) {
        if (cell.version().isNewerThan(newest)) {
          newest = cell.version();
        }
      }
      return newest;
    }
  }

  private final Statements st;
  private final Consumer<DigestDelta> deltas;

  Clocks(Statements st, Consumer<DigestDelta> deltas) {
    this.st = st;
    this.deltas = deltas;
  }

  @Nullable RowClock read(String table, String key) throws SQLException {
    PreparedStatement select = st.prepare("SELECT cl, hlc, node, cells FROM __edge_rows WHERE tbl = ? AND pk = ?");
    select.setString(1, table);
    select.setString(2, key);
    try (ResultSet rs = select.executeQuery()) {
      if (!rs.next()) {
        return null;
      }
      return new RowClock(new Existence(rs.getLong(1), new Version(rs.getLong(2), rs.getString(3))),
          CellsCodec.decode(rs.getBytes(4)));
    }
  }

  /** {@link #read} for many keys of one table at once: the clocks there are, by key. */
  java.util.Map<String, RowClock> readAll(String table, java.util.List<String> keys) throws SQLException {
    PreparedStatement select = st.prepare("SELECT pk, cl, hlc, node, cells FROM __edge_rows WHERE tbl = ? AND pk" + KeyChunks.IN);
    select.setString(1, table);
    java.util.Map<String, RowClock> out = new java.util.HashMap<>();
    KeyChunks.forEach(select, 2, keys, bound -> {
      try (ResultSet rs = bound.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), new RowClock(new Existence(rs.getLong(2), new Version(rs.getLong(3), rs.getString(4))),
              CellsCodec.decode(rs.getBytes(5))));
        }
      }
    });
    return out;
  }

  /** Stores {@code after} as the row's clock; {@code before} is what it was (null: none). */
  void write(String table, String key, @Nullable RowClock before, RowClock after) throws SQLException {
    Existence e = after.existence();
    byte[] cells = CellsCodec.encode(after.cells());
    if (before == null) {
      st.update("INSERT INTO __edge_rows (tbl, pk, cl, hlc, node, cells, kept, newest) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          table, key, e.cl(), e.version().hlc(), e.version().node(), cells, after.hasKept() ? 1 : 0, after.newest().hlc());
    } else {
      st.update("UPDATE __edge_rows SET cl = ?, hlc = ?, node = ?, cells = ?, kept = ?, newest = ? WHERE tbl = ? AND pk = ?",
          e.cl(), e.version().hlc(), e.version().node(), cells, after.hasKept() ? 1 : 0, after.newest().hlc(), table, key);
    }
    report(table, key, before, after);
  }

  /** Forgets the row entirely (existence and cells), leaving no tombstone. */
  void forget(String table, String key, long tag) throws SQLException {
    RowClock before = read(table, key);
    if (before == null) {
      return;
    }
    st.update("DELETE FROM __edge_rows WHERE tbl = ? AND pk = ?", table, key);
    RowKey row = new RowKey(table, key);
    deltas.accept(new DigestDelta(row, -RowHashes.of(row, before), tag));
  }

  /**
   * The row hash's moves from {@code before} to {@code after}: one delta per version involved (the
   * items a change set share one), so a digest cut takes each change whole.
   */
  private void report(String table, String key, @Nullable RowClock before, RowClock after) {
    Tagged moves = new Tagged();
    Existence was = before == null ? null : before.existence();
    Existence now = after.existence();
    if (!now.equals(was)) {
      long delta = RowHashes.existenceHash(table, key, now.cl(), now.version());
      if (was != null) {
        delta -= RowHashes.existenceHash(table, key, was.cl(), was.version());
      }
      moves.add(now.version().hlc(), delta);
    }
    boolean sameLife = was != null && was.cl() == now.cl();
    long seed = RowHashes.cellSeed(table, key);
    if (before != null && !sameLife) {
      for (var cell : before.cells().entrySet()) { // the old life ended with the change that set the new existence
        moves.add(now.version().hlc(), -RowHashes.cellHash(seed, was.cl(), cell.getKey(), cell.getValue().version()));
      }
    }
    for (var cell : after.cells().entrySet()) {
      StoredCell old = sameLife ? before.cells().get(cell.getKey()) : null;
      if (old != null && Objects.equals(old.version(), cell.getValue().version())) {
        continue;
      }
      long delta = RowHashes.cellHash(seed, now.cl(), cell.getKey(), cell.getValue().version());
      if (old != null) {
        delta -= RowHashes.cellHash(seed, now.cl(), cell.getKey(), old.version());
      }
      moves.add(cell.getValue().version().hlc(), delta);
    }
    moves.report(new RowKey(table, key), deltas);
  }

  /** Deltas summed per tag (a handful per row at most). */
  private static final class Tagged {
    private long[] tags = new long[2];
    private long[] sums = new long[2];
    private int size;

    void add(long tag, long delta) {
      for (int i = 0; i < size; i++) {
        if (tags[i] == tag) {
          sums[i] += delta;
          return;
        }
      }
      if (size == tags.length) {
        tags = java.util.Arrays.copyOf(tags, size * 2);
        sums = java.util.Arrays.copyOf(sums, size * 2);
      }
      tags[size] = tag;
      sums[size++] = delta;
    }

    void report(RowKey row, Consumer<DigestDelta> sink) {
      for (int i = 0; i < size; i++) {
        sink.accept(new DigestDelta(row, sums[i], tags[i]));
      }
    }
  }
}
