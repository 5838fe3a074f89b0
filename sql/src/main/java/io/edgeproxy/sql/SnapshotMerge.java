package io.edgeproxy.sql;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Merges a peer's routing.db copy into ours (a new POP's bootstrap) in one transaction of plain SQL:
 * for each replicated table, the copy's rows and tombstones win only over older versions here, then
 * the versions themselves follow; capture is paused meanwhile. See {@link ReplicaStore#importSnapshot}.
 */
final class SnapshotMerge {
  private SnapshotMerge() {}

  static ReplicaStore.ImportResult merge(RoutingDb db, Path file) {
    return db.withAttached(file, "snap", c -> {
      try (Statement st = c.createStatement()) {
        try (ResultSet rs = st.executeQuery("PRAGMA snap.quick_check")) {
          String verdict = rs.next() ? rs.getString(1) : "no answer";
          if (!"ok".equals(verdict)) {
            throw new SQLException("the snapshot file fails SQLite's quick_check: " + verdict);
          }
        }
        ReplicaStore.setCapturePaused(c, true);
        String newerHere = "SELECT 1 FROM main.__edge_versions v WHERE v.tbl = sv.tbl AND v.pk = sv.pk"
            + " AND (v.hlc > sv.hlc OR (v.hlc = sv.hlc AND v.node >= sv.node))";
        long rows = 0;
        for (ReplicatedTable table : ReplicatedTable.values()) {
          String t = table.table();
          String key = table.keyColumn();
          String columns = String.join(", ", table.allColumns());
          String sourceColumns = "s." + String.join(", s.", table.allColumns());
          rows += st.executeUpdate("DELETE FROM main." + t + " WHERE " + key + " IN (SELECT sv.pk FROM snap.__edge_versions sv"
              + " WHERE sv.tbl = '" + t + "' AND sv.deleted = 1 AND NOT EXISTS (" + newerHere + "))");
          rows += st.executeUpdate("INSERT OR REPLACE INTO main." + t + " (" + columns + ") SELECT " + sourceColumns
              + " FROM snap." + t + " s JOIN snap.__edge_versions sv ON sv.tbl = '" + t + "' AND sv.pk = s." + key
              + " AND sv.deleted = 0 WHERE NOT EXISTS (" + newerHere + ")");
        }
        long versions = st.executeUpdate("INSERT OR REPLACE INTO main.__edge_versions (tbl, pk, hlc, node, deleted)"
            + " SELECT sv.tbl, sv.pk, sv.hlc, sv.node, sv.deleted FROM snap.__edge_versions sv WHERE NOT EXISTS (" + newerHere + ")");
        long maxHlc;
        try (ResultSet rs = st.executeQuery("SELECT coalesce(max(hlc), 0) FROM snap.__edge_versions")) {
          maxHlc = rs.getLong(1);
        }
        ReplicaStore.setCapturePaused(c, false);
        return new ReplicaStore.ImportResult(rows, versions, maxHlc);
      }
    });
  }
}
