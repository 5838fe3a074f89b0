package io.edgeproxy.sql;

import io.edgeproxy.core.change.Cell;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.change.Version;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Reads replicated rows back as {@link RowChange} states (to ship them) and as row hashes (to
 * compare them), from {@code __edge_rows} and the tables themselves.
 */
final class RowReader {
  private RowReader() {}

  /** The row's whole state, or null when this POP has never seen it (or compacted its tombstone). */
  static @Nullable RowChange read(Statements st, ReplicatedSchema schema, RowKey row) throws SQLException {
    Clocks.RowClock clock = new Clocks(st, d -> { }).read(row.table(), row.key());
    if (clock == null) {
      return null;
    }
    Clocks.Existence existence = clock.existence();
    if (!existence.exists()) {
      return RowChange.tombstone(row.table(), row.key(), existence.cl(), existence.version());
    }
    ReplicatedTable table = schema.table(row.table()).orElse(null);
    Map<String, @Nullable Object> base = table == null ? null : BaseRows.read(st, table, row.key());
    Map<String, Cell> cells = new LinkedHashMap<>();
    for (var cell : clock.cells().entrySet()) {
      Object value = cell.getValue().kept() || base == null ? cell.getValue().value() : base.get(cell.getKey());
      cells.put(cell.getKey(), new Cell(value, cell.getValue().version()));
    }
    return new RowChange(row.table(), row.key(), existence.cl(), existence.version(), cells);
  }

  /** The hash of every row {@code wanted} accepts (see {@link RowHashes}), in key order. */
  static void hashes(Statements st, Predicate<RowKey> wanted, BiConsumer<RowKey, Long> sink) throws SQLException {
    try (ResultSet rows = st.prepare("SELECT tbl, pk, cl, hlc, node, cells FROM __edge_rows ORDER BY tbl, pk").executeQuery()) {
      while (rows.next()) {
        RowKey row = new RowKey(rows.getString(1), rows.getString(2));
        if (wanted.test(row)) {
          long cl = rows.getLong(3);
          long hash = RowHashes.existenceHash(row.table(), row.key(), cl, new Version(rows.getLong(4), rows.getString(5)))
              + CellsCodec.hashCells(rows.getBytes(6), RowHashes.cellSeed(row.table(), row.key()), cl);
          sink.accept(row, hash);
        }
      }
    }
  }

  /** Every row {@code wanted} accepts, as whole states. */
  static void rows(Statements st, ReplicatedSchema schema, Predicate<RowKey> wanted, Consumer<RowChange> sink)
      throws SQLException {
    java.util.List<RowKey> keys = new java.util.ArrayList<>();
    try (ResultSet rs = st.prepare("SELECT tbl, pk FROM __edge_rows").executeQuery()) {
      while (rs.next()) {
        RowKey row = new RowKey(rs.getString(1), rs.getString(2));
        if (wanted.test(row)) {
          keys.add(row);
        }
      }
    }
    for (RowKey row : keys) {
      RowChange change = read(st, schema, row);
      if (change != null) {
        sink.accept(change);
      }
    }
  }

}
