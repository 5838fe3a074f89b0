package io.edgeproxy.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Part of migration 4: the per-row versions of schema 3 become per-column ones. Every column of a
 * live row gets the row's version, so the file replicates exactly as before the upgrade; a column
 * merged by another rule than last writer also gets a copy of its value.
 */
final class CellCarryOver {
  private CellCarryOver() {}

  static void run(Connection c) throws SQLException {
    ReplicatedSchema schema = ReplicatedSchema.read(c);
    for (ReplicatedTable table : schema.tables()) {
      Map<String, Map<String, @Nullable Object>> values = new LinkedHashMap<>();
      List<String> keptValues = table.valueColumns().stream().filter(table::keepsValue).toList();
      BaseRows.scan(c, "main", table.name(), table.keyColumn(), keptValues, values::put);
      CellRewrite.run(c, "tbl = ? AND cl % 2 = 1", List.of(table.name()), (row, clock) -> {
        Map<String, @Nullable Object> base = values.get(row.key());
        if (base == null) {
          return null; // a version without its row: nothing to carry over
        }
        Map<String, Clocks.StoredCell> cells = new LinkedHashMap<>();
        for (String column : table.valueColumns()) {
          Object value = table.keepsValue(column) ? base.get(column) : null;
          cells.put(column, new Clocks.StoredCell(clock.existence().version(), false, value));
        }
        return cells;
      });
    }
  }
}
