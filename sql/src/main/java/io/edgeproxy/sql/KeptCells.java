package io.edgeproxy.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Values kept aside (cells marked kept: replicated by a POP whose schema had a table or column this
 * one lacked) are written into their tables once the schema has them, after an upgrade. Capture is
 * paused: they are not local changes, and their versions stay as they were.
 */
final class KeptCells {
  private KeptCells() {}

  /** Applies every kept value whose table and column {@code schema} now has; returns how many. */
  static int promote(Connection c, ReplicatedSchema schema) throws SQLException {
    int[] promoted = {0};
    ReplicaStore.setCapturePaused(c, true);
    try (Statements st = new Statements(c)) {
      CellRewrite.run(c, "kept = 1 AND cl % 2 = 1", List.of(), (row, clock) -> {
        ReplicatedTable table = schema.table(row.table()).orElse(null);
        if (table == null) {
          return null;
        }
        Map<String, Clocks.StoredCell> cells = new LinkedHashMap<>(clock.cells());
        Map<String, @Nullable Object> values = new LinkedHashMap<>();
        for (var cell : clock.cells().entrySet()) {
          String column = cell.getKey();
          if (cell.getValue().kept() && table.hasColumn(column)) {
            Object value = cell.getValue().value();
            values.put(column, value);
            cells.put(column, new Clocks.StoredCell(cell.getValue().version(), false, table.keepsValue(column) ? value : null));
          }
        }
        if (values.isEmpty()) {
          return null;
        }
        BaseRows.upsert(st, table, row.key(), values);
        promoted[0] += values.size();
        return cells;
      });
    }
    ReplicaStore.setCapturePaused(c, false);
    return promoted[0];
  }
}
