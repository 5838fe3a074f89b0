package io.edgeproxy.tools.cli.sql;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A query's result, read in full: routing.db tables are small, and the table and JSON modes need
 * every row before printing the first. Values are SQLite's: Long, Double, String, byte[] or null.
 */
record ResultTable(List<String> columns, List<List<@Nullable Object>> rows) {
  ResultTable {
    columns = List.copyOf(columns);
    rows = List.copyOf(rows);
  }

  static ResultTable read(ResultSet rs) throws SQLException {
    ResultSetMetaData meta = rs.getMetaData();
    int n = meta.getColumnCount();
    List<String> columns = new ArrayList<>(n);
    for (int i = 1; i <= n; i++) {
      columns.add(meta.getColumnLabel(i));
    }
    List<List<@Nullable Object>> rows = new ArrayList<>();
    while (rs.next()) {
      @Nullable Object[] row = new Object[n];
      for (int i = 1; i <= n; i++) {
        Object value = rs.getObject(i);
        row[i - 1] = value instanceof Integer v ? Long.valueOf(v) : value;
      }
      rows.add(Arrays.asList(row));
    }
    return new ResultTable(columns, rows);
  }
}
