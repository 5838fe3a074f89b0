package io.edgeproxy.sql;

import io.edgeproxy.core.change.Version;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The versions of replicated rows ({@code __edge_rows}, {@code __edge_cells}), one row at a time,
 * reporting every change to a row's hash as a {@link DigestDelta}.
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

  private final Statements st;
  private final Consumer<DigestDelta> deltas;

  Clocks(Statements st, Consumer<DigestDelta> deltas) {
    this.st = st;
    this.deltas = deltas;
  }

  @Nullable Existence existence(String table, String key) throws SQLException {
    PreparedStatement select = st.prepare("SELECT cl, hlc, node FROM __edge_rows WHERE tbl = ? AND pk = ?");
    select.setString(1, table);
    select.setString(2, key);
    try (ResultSet rs = select.executeQuery()) {
      return rs.next() ? new Existence(rs.getLong(1), new Version(rs.getLong(2), rs.getString(3))) : null;
    }
  }

  Map<String, StoredCell> cells(String table, String key) throws SQLException {
    PreparedStatement select = st.prepare("SELECT col, hlc, node, kept, value FROM __edge_cells WHERE tbl = ? AND pk = ?");
    select.setString(1, table);
    select.setString(2, key);
    Map<String, StoredCell> cells = new LinkedHashMap<>();
    try (ResultSet rs = select.executeQuery()) {
      while (rs.next()) {
        cells.put(rs.getString(1), new StoredCell(new Version(rs.getLong(2), rs.getString(3)), rs.getInt(4) == 1,
            BaseRows.normalized(rs.getObject(5))));
      }
    }
    return cells;
  }

  /** Sets the row's existence; {@code before} is what it was (null: none). */
  void putExistence(String table, String key, @Nullable Existence before, Existence after) throws SQLException {
    st.update("INSERT OR REPLACE INTO __edge_rows (tbl, pk, cl, hlc, node) VALUES (?, ?, ?, ?, ?)",
        table, key, after.cl(), after.version().hlc(), after.version().node());
    long delta = RowHashes.existenceHash(table, key, after.cl(), after.version());
    if (before != null) {
      delta -= RowHashes.existenceHash(table, key, before.cl(), before.version());
    }
    deltas.accept(new DigestDelta(new RowKey(table, key), delta, after.version().hlc()));
  }

  /** Sets one cell of the row's life {@code cl}; {@code before} is the cell it replaces (null: none). */
  void putCell(String table, String key, long cl, String column, @Nullable StoredCell before, StoredCell after)
      throws SQLException {
    st.update("INSERT OR REPLACE INTO __edge_cells (tbl, pk, col, hlc, node, kept, value) VALUES (?, ?, ?, ?, ?, ?, ?)",
        table, key, column, after.version().hlc(), after.version().node(), after.kept() ? 1 : 0, after.value());
    long delta = RowHashes.cellHash(table, key, cl, column, after.version());
    if (before != null) {
      delta -= RowHashes.cellHash(table, key, cl, column, before.version());
    }
    deltas.accept(new DigestDelta(new RowKey(table, key), delta, after.version().hlc()));
  }

  /** Removes every cell of the row's life {@code cl} (it ended), tagged with the change that ended it. */
  void removeCells(String table, String key, long cl, Map<String, StoredCell> cells, long tag) throws SQLException {
    if (cells.isEmpty()) {
      return;
    }
    st.update("DELETE FROM __edge_cells WHERE tbl = ? AND pk = ?", table, key);
    long delta = 0;
    for (var cell : cells.entrySet()) {
      delta -= RowHashes.cellHash(table, key, cl, cell.getKey(), cell.getValue().version());
    }
    deltas.accept(new DigestDelta(new RowKey(table, key), delta, tag));
  }

  /** Forgets the row entirely (existence and cells), leaving no tombstone. */
  void forget(String table, String key, long tag) throws SQLException {
    Existence existence = existence(table, key);
    if (existence == null) {
      return;
    }
    removeCells(table, key, existence.cl(), cells(table, key), tag);
    st.update("DELETE FROM __edge_rows WHERE tbl = ? AND pk = ?", table, key);
    deltas.accept(new DigestDelta(new RowKey(table, key),
        -RowHashes.existenceHash(table, key, existence.cl(), existence.version()), tag));
  }
}
