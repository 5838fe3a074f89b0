package io.edgeproxy.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Before a rejoin replaces this POP's rows with a peer's copy (attached as {@code snap}): the
 * changes this POP made that the copy does not hold (same row, column and version), newer than
 * what the peer said it holds of this POP. They are reported, not silently dropped.
 */
final class LostChanges {
  static final String INSERTED = "(inserted)";
  static final String DELETED = "(deleted)";

  private LostChanges() {}

  static List<ReplicaStore.LostChange> find(Connection c, ReplicatedSchema ours, String self, long peerHoldsSelf)
      throws SQLException {
    List<ReplicaStore.LostChange> lost = new ArrayList<>();
    try (PreparedStatement st = c.prepareStatement("SELECT m.tbl, m.pk, m.cl, m.hlc FROM main.__edge_rows m"
        + " WHERE m.node = ? AND m.hlc > ? AND NOT EXISTS (SELECT 1 FROM snap.__edge_rows s"
        + " WHERE s.tbl = m.tbl AND s.pk = m.pk AND s.cl = m.cl AND s.hlc = m.hlc AND s.node = m.node)")) {
      st.setString(1, self);
      st.setLong(2, peerHoldsSelf);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          boolean exists = (rs.getLong(3) & 1) == 1;
          lost.add(new ReplicaStore.LostChange(new RowKey(rs.getString(1), rs.getString(2)), exists ? INSERTED : DELETED,
              null, rs.getLong(4), rs.getLong(3)));
        }
      }
    }
    try (PreparedStatement st = c.prepareStatement("SELECT m.tbl, m.pk, m.cl, m.cells, s.cl, s.cells FROM main.__edge_rows m"
        + " LEFT JOIN snap.__edge_rows s ON s.tbl = m.tbl AND s.pk = m.pk WHERE m.newest > ? AND m.cl % 2 = 1")) {
      st.setLong(1, peerHoldsSelf);
      try (ResultSet rs = st.executeQuery(); Statements rows = new Statements(c)) {
        while (rs.next()) {
          RowKey row = new RowKey(rs.getString(1), rs.getString(2));
          long cl = rs.getLong(3);
          Map<String, Clocks.StoredCell> theirs = rs.getLong(5) == cl ? CellsCodec.decode(rs.getBytes(6)) : Map.of();
          for (var cell : CellsCodec.decode(rs.getBytes(4)).entrySet()) {
            Clocks.StoredCell mine = cell.getValue();
            if (!mine.version().node().equals(self) || Long.compareUnsigned(mine.version().hlc(), peerHoldsSelf) <= 0) {
              continue;
            }
            Clocks.StoredCell same = theirs.get(cell.getKey());
            if (same != null && same.version().equals(mine.version())) {
              continue;
            }
            Object value = mine.kept() ? mine.value() : valueInTable(rows, ours, row, cell.getKey());
            lost.add(new ReplicaStore.LostChange(row, cell.getKey(), value == null ? null : String.valueOf(value),
                mine.version().hlc(), cl));
          }
        }
      }
    }
    return lost;
  }

  private static Object valueInTable(Statements st, ReplicatedSchema ours, RowKey row, String column) throws SQLException {
    ReplicatedTable table = ours.table(row.table()).orElse(null);
    if (table == null) {
      return null;
    }
    var base = BaseRows.read(st, table, row.key());
    return base == null ? null : base.get(column);
  }
}
