package io.edgeproxy.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Part of migration 4: the per-row versions of schema 3 become per-column ones. Every column of a
 * live row gets the row's version, so the file replicates exactly as before the upgrade; a column
 * merged by another rule than last writer also gets a copy of its value.
 */
final class CellCarryOver {
  private CellCarryOver() {}

  static void run(Connection c) throws SQLException {
    ReplicatedSchema schema = ReplicatedSchema.read(c);
    try (Statement st = c.createStatement()) {
      for (ReplicatedTable table : schema.tables()) {
        for (String column : table.valueColumns()) {
          String value = table.keepsValue(column) ? "t.\"" + column + "\"" : "NULL";
          st.executeUpdate("INSERT OR REPLACE INTO __edge_cells (tbl, pk, col, hlc, node, kept, value)"
              + " SELECT r.tbl, r.pk, '" + column + "', r.hlc, r.node, 0, " + value
              + " FROM __edge_rows r JOIN \"" + table.name() + "\" t ON t.\"" + table.keyColumn() + "\" = r.pk"
              + " WHERE r.tbl = '" + table.name() + "' AND r.cl % 2 = 1");
        }
      }
    }
  }
}
