package io.edgeproxy.sql;

import io.edgeproxy.core.change.Version;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Rewrites the stored cells of many rows in one pass (the carry-over of migration 4, promoting kept
 * values, a snapshot's fix-ups). Only where values live changes, never a version, so no row hash
 * moves and no digest delta is due.
 */
final class CellRewrite {
  /** The new cells of {@code row}, or null to leave it as it is. */
  interface Edit {
    @Nullable Map<String, Clocks.StoredCell> apply(RowKey row, Clocks.RowClock clock) throws SQLException;
  }

  private record Update(RowKey row, Clocks.RowClock clock) {}

  private CellRewrite() {}

  /**
   * Applies {@code edit} to every row of {@code main.__edge_rows} that {@code where} (SQL over its
   * columns, with {@code args}) selects; returns how many rows changed.
   */
  static int run(Connection c, String where, List<Object> args, Edit edit) throws SQLException {
    List<Update> updates = new ArrayList<>();
    try (PreparedStatement st = c.prepareStatement("SELECT tbl, pk, cl, hlc, node, cells FROM main.__edge_rows WHERE " + where)) {
      for (int i = 0; i < args.size(); i++) {
        st.setObject(i + 1, args.get(i));
      }
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          RowKey row = new RowKey(rs.getString(1), rs.getString(2));
          Clocks.RowClock clock = new Clocks.RowClock(new Clocks.Existence(rs.getLong(3), new Version(rs.getLong(4), rs.getString(5))),
              CellsCodec.decode(rs.getBytes(6)));
          Map<String, Clocks.StoredCell> cells = edit.apply(row, clock);
          if (cells != null) {
            updates.add(new Update(row, new Clocks.RowClock(clock.existence(), cells)));
          }
        }
      }
    }
    try (PreparedStatement st = c.prepareStatement(
        "UPDATE main.__edge_rows SET cells = ?, kept = ?, newest = ? WHERE tbl = ? AND pk = ?")) {
      for (Update u : updates) {
        st.setBytes(1, CellsCodec.encode(u.clock().cells()));
        st.setInt(2, u.clock().hasKept() ? 1 : 0);
        st.setLong(3, u.clock().newest().hlc());
        st.setString(4, u.row().table());
        st.setString(5, u.row().key());
        st.addBatch();
      }
      st.executeBatch();
    }
    return updates.size();
  }
}
