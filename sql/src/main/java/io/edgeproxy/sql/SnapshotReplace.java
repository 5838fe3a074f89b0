package io.edgeproxy.sql;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Replaces this POP's replicated tables and their versions with a peer's routing.db copy (a new
 * POP's bootstrap, or a stale POP's rejoin), in one transaction. A merge would keep rows whose
 * tombstones the peer has already compacted; a
 * replacement cannot. Local changes the peer did not have are listed first (see
 * {@link ReplicaStore.LostChange}), so a rejoin reports what it drops. The two files may have
 * different schema versions: columns only the copy has are kept aside, values the copy kept aside
 * for columns this schema has are applied.
 */
final class SnapshotReplace {
  private SnapshotReplace() {}

  static ReplicaStore.ReplaceResult replace(RoutingDb db, Path file, ReplicatedSchema ours, String self, long peerHoldsSelf) {
    return db.withAttached(file, "snap", c -> {
      try (Statement st = c.createStatement()) {
        try (ResultSet rs = st.executeQuery("PRAGMA snap.quick_check")) {
          String verdict = rs.next() ? rs.getString(1) : "no answer";
          if (!"ok".equals(verdict)) {
            throw new SQLException("the snapshot file fails SQLite's quick_check: " + verdict);
          }
        }
        if (!columns(c, "snap", "__edge_rows").contains("cells")) {
          throw new SQLException("the snapshot file has no per-column versions (a routing.db older than schema 4)");
        }
        // Inside the write transaction, so no writer can slip in between this look and the copy.
        try (ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM main.__edge_pending)")) {
          if (rs.next() && rs.getInt(1) == 1) {
            return ReplicaStore.ReplaceResult.deferredByPendingChanges();
          }
        }
        // Deletes are not lost: every tombstone is merged back after the copy (see KeptDeletes).
        List<ReplicaStore.LostChange> lost = LostChanges.find(c, ours, self, peerHoldsSelf).stream()
            .filter(l -> !l.column().equals(LostChanges.DELETED)).toList();
        KeptDeletes deletes = KeptDeletes.find(c);
        ReplicaStore.setCapturePaused(c, true);
        long rows = 0;
        for (ReplicatedTable table : ours.tables()) {
          st.executeUpdate("DELETE FROM main.\"" + table.name() + "\"");
          if (tableExists(c, "snap", table.name())) {
            String columns = BaseRows.quoted(commonColumns(c, table));
            rows += st.executeUpdate("INSERT INTO main.\"" + table.name() + "\" (" + columns + ") SELECT " + columns
                + " FROM snap.\"" + table.name() + "\"");
          }
        }
        st.executeUpdate("DELETE FROM main.__edge_rows");
        st.executeUpdate("INSERT INTO main.__edge_rows (tbl, pk, cl, hlc, node, cells, kept, newest)"
            + " SELECT tbl, pk, cl, hlc, node, cells, kept, newest FROM snap.__edge_rows");
        keepWhatOnlyTheCopyKnows(c, ours);
        copyMergeValues(c, ours);
        KeptCells.promote(c, ours);
        ReplicaStore.setCapturePaused(c, true); // promote resumed it
        try (PreparedStatement holds = c.prepareStatement("DELETE FROM main.__edge_holds WHERE origin <> ?")) {
          holds.setString(1, self);
          holds.executeUpdate();
        }
        st.executeUpdate("INSERT INTO main.__edge_holds (origin, hlc) SELECT origin, hlc FROM snap.__edge_holds WHERE true"
            + " ON CONFLICT(origin) DO UPDATE SET hlc = max(hlc, excluded.hlc)");
        st.executeUpdate("DELETE FROM main.__edge_horizons");
        st.executeUpdate("INSERT INTO main.__edge_horizons (origin, hlc) SELECT origin, hlc FROM snap.__edge_horizons");
        if (tableExists(c, "snap", "__edge_forgotten_leases")) { // what the source forgot stays forgotten here too
          st.executeUpdate("INSERT OR IGNORE INTO main.__edge_forgotten_leases (id, cl, hlc, node, expires_ms, forgotten_ms)"
              + " SELECT id, cl, hlc, node, expires_ms, forgotten_ms FROM snap.__edge_forgotten_leases");
        }
        st.executeUpdate("DELETE FROM main.__edge_pending");
        int deletedAgain = deletes.apply(c, ours, ReplicaStore.horizons(c)); // resumes capture
        long maxHlc;
        try (ResultSet rs = st.executeQuery("SELECT coalesce(max(newest), 0) FROM main.__edge_rows")) {
          maxHlc = rs.getLong(1);
        }
        ReplicaStore.setCapturePaused(c, false);
        return new ReplicaStore.ReplaceResult(rows, lost, deletedAgain, maxHlc, false);
      }
    });
  }

  /** Key and value columns of {@code table} that the copy's table has too. */
  private static List<String> commonColumns(Connection c, ReplicatedTable table) throws SQLException {
    Set<String> theirs = columns(c, "snap", table.name());
    List<String> out = new ArrayList<>();
    out.add(table.keyColumn());
    for (String column : table.valueColumns()) {
      if (theirs.contains(column)) {
        out.add(column);
      }
    }
    return out;
  }

  /** Cells the copy stored in a table or column this schema lacks: their values move into the cells. */
  private static void keepWhatOnlyTheCopyKnows(Connection c, ReplicatedSchema ours) throws SQLException {
    Map<String, String> theirTables = new LinkedHashMap<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT tbl, key_column FROM snap.__edge_tables")) {
      while (rs.next()) {
        theirTables.put(rs.getString(1), rs.getString(2));
      }
    }
    for (var entry : theirTables.entrySet()) {
      String tableName = entry.getKey();
      if (!tableExists(c, "snap", tableName)) {
        continue;
      }
      List<String> onlyTheirs = columns(c, "snap", tableName).stream()
          .filter(column -> !column.equalsIgnoreCase(entry.getValue()) && !ours.knows(tableName, column)).toList();
      if (onlyTheirs.isEmpty()) {
        continue;
      }
      copyValues(c, "snap", tableName, entry.getValue(), onlyTheirs, true);
    }
  }

  /** Columns merged by value (not last writer) keep a copy of their value beside their version. */
  private static void copyMergeValues(Connection c, ReplicatedSchema ours) throws SQLException {
    for (ReplicatedTable table : ours.tables()) {
      List<String> keptValues = table.valueColumns().stream().filter(table::keepsValue).toList();
      if (keptValues.isEmpty()) {
        continue;
      }
      copyValues(c, "main", table.name(), table.keyColumn(), keptValues, false);
    }
  }

  /**
   * Copies the values of {@code columns} of {@code schema.table} into the cells of the live rows
   * of that table (cells not kept aside already), marking them kept aside or not.
   */
  private static void copyValues(Connection c, String schema, String table, String keyColumn, List<String> columns,
      boolean kept) throws SQLException {
    Map<String, Map<String, @Nullable Object>> values = new HashMap<>();
    BaseRows.scan(c, schema, table, keyColumn, columns, values::put);
    CellRewrite.run(c, "tbl = ? AND cl % 2 = 1", List.of(table), (row, clock) -> {
      Map<String, @Nullable Object> found = values.get(row.key());
      if (found == null) {
        return null;
      }
      Map<String, Clocks.StoredCell> cells = new LinkedHashMap<>(clock.cells());
      for (var cell : clock.cells().entrySet()) {
        if (!cell.getValue().kept() && found.containsKey(cell.getKey())) {
          cells.put(cell.getKey(), new Clocks.StoredCell(cell.getValue().version(), kept, found.get(cell.getKey())));
        }
      }
      return cells;
    });
  }

  static boolean tableExists(Connection c, String schema, String table) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT 1 FROM " + schema + ".sqlite_master WHERE type = 'table' AND name = ?")) {
      st.setString(1, table);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static Set<String> columns(Connection c, String schema, String table) throws SQLException {
    Set<String> out = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA " + schema + ".table_info(\"" + table + "\")")) {
      while (rs.next()) {
        out.add(rs.getString("name"));
      }
    }
    return out;
  }
}
