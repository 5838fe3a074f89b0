package io.edgeproxy.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Before a rejoin replaces this POP's rows with a peer's copy (attached as {@code snap}): the
 * changes this POP made that the copy does not hold (same row, column and version), newer than
 * what the peer said it holds of this POP. They are reported, not silently dropped.
 */
final class LostChanges {
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
          lost.add(new ReplicaStore.LostChange(new RowKey(rs.getString(1), rs.getString(2)), exists ? "(inserted)" : "(deleted)",
              null, rs.getLong(4), rs.getLong(3)));
        }
      }
    }
    try (PreparedStatement st = c.prepareStatement("SELECT m.tbl, m.pk, m.col, m.hlc, m.kept, m.value,"
        + " (SELECT r.cl FROM main.__edge_rows r WHERE r.tbl = m.tbl AND r.pk = m.pk) FROM main.__edge_cells m"
        + " WHERE m.node = ? AND m.hlc > ? AND NOT EXISTS (SELECT 1 FROM snap.__edge_cells s"
        + " WHERE s.tbl = m.tbl AND s.pk = m.pk AND s.col = m.col AND s.hlc = m.hlc AND s.node = m.node)")) {
      st.setString(1, self);
      st.setLong(2, peerHoldsSelf);
      try (ResultSet rs = st.executeQuery(); Statements rows = new Statements(c)) {
        while (rs.next()) {
          RowKey row = new RowKey(rs.getString(1), rs.getString(2));
          Object value = rs.getInt(5) == 1 ? rs.getObject(6) : valueInTable(rows, ours, row, rs.getString(3));
          lost.add(new ReplicaStore.LostChange(row, rs.getString(3), value == null ? null : String.valueOf(value), rs.getLong(4),
              rs.getLong(7)));
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
