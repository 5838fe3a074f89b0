package io.edgeproxy.sql;

import io.edgeproxy.core.change.Cell;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.change.Version;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Reads replicated rows back as {@link RowChange} states (to ship them) and as row hashes (to
 * compare them), from the version tables joined with the tables themselves.
 */
final class RowReader {
  private RowReader() {}

  /** The row's whole state, or null when this POP has never seen it (or compacted its tombstone). */
  static @Nullable RowChange read(Statements st, ReplicatedSchema schema, RowKey row) throws SQLException {
    Clocks clocks = new Clocks(st, d -> { });
    Clocks.Existence existence = clocks.existence(row.table(), row.key());
    if (existence == null) {
      return null;
    }
    if (!existence.exists()) {
      return RowChange.tombstone(row.table(), row.key(), existence.cl(), existence.version());
    }
    ReplicatedTable table = schema.table(row.table()).orElse(null);
    Map<String, @Nullable Object> base = table == null ? null : BaseRows.read(st, table, row.key());
    Map<String, Cell> cells = new LinkedHashMap<>();
    for (var cell : clocks.cells(row.table(), row.key()).entrySet()) {
      Object value = cell.getValue().kept() || base == null ? cell.getValue().value() : base.get(cell.getKey());
      cells.put(cell.getKey(), new Cell(value, cell.getValue().version()));
    }
    return new RowChange(row.table(), row.key(), existence.cl(), existence.version(), cells);
  }

  /**
   * The hash of every row {@code wanted} accepts (see {@link RowHashes}), in key order: one pass
   * over each version table, merged (both are ordered by table and key).
   */
  static void hashes(Statements st, Predicate<RowKey> wanted, BiConsumer<RowKey, Long> sink) throws SQLException {
    try (ResultSet rows = st.prepare("SELECT tbl, pk, cl, hlc, node FROM __edge_rows ORDER BY tbl, pk").executeQuery();
        ResultSet cells = st.prepare("SELECT tbl, pk, col, hlc, node FROM __edge_cells ORDER BY tbl, pk").executeQuery()) {
      boolean cellAhead = cells.next();
      while (rows.next()) {
        String table = rows.getString(1);
        String key = rows.getString(2);
        long cl = rows.getLong(3);
        // Cells of rows that sort before this one have no row (never left behind): skip them.
        while (cellAhead && before(cells.getString(1), cells.getString(2), table, key)) {
          cellAhead = cells.next();
        }
        RowKey row = new RowKey(table, key);
        boolean take = wanted.test(row);
        long hash = take ? RowHashes.existenceHash(table, key, cl, new Version(rows.getLong(4), rows.getString(5))) : 0;
        while (cellAhead && table.equals(cells.getString(1)) && key.equals(cells.getString(2))) {
          if (take) {
            hash += RowHashes.cellHash(table, key, cl, cells.getString(3), new Version(cells.getLong(4), cells.getString(5)));
          }
          cellAhead = cells.next();
        }
        if (take) {
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

  /** SQLite's order of text (BINARY collation: UTF-8 bytes), for (table, key) pairs. */
  private static boolean before(String tableA, String keyA, String tableB, String keyB) {
    int byTable = compareUtf8(tableA, tableB);
    return byTable != 0 ? byTable < 0 : compareUtf8(keyA, keyB) < 0;
  }

  private static int compareUtf8(String a, String b) {
    if (a.equals(b)) {
      return 0;
    }
    return Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
