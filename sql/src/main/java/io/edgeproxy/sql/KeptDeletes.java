package io.edgeproxy.sql;

import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.change.Version;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The deletes a POP knows of that survive its rejoin: a copy replaces its rows, but a delete is
 * never undone by one. Two kinds, found before the copy replaces anything:
 *
 * <ul>
 *   <li>its tombstones: merged into the copy afterwards as any peer's change would be (a delete
 *       of a life the copy still has alive wins there; an older one changes nothing);
 *   <li>deletes it has compacted: a row alive in the copy, absent here, whose life began with a
 *       change this POP holds (a live clock reading of an origin, at or below what it holds of that
 *       origin), was here and is gone, so this POP deleted it. Such rows are deleted again, as a
 *       new local change. This matters when two POPs have each compacted deletes the other never
 *       saw (a split longer than the tombstone TTL, each side syncing on its own): whichever side
 *       rejoins would otherwise bring back rows the other had deleted. Rows kept alive by a lease
 *       are left alone (a lease's end forgets them without a tombstone; a newer heartbeat elsewhere
 *       may rightly bring them back), as are versions from the past (rows older than capture, and
 *       edits captured late: their version is older than the transaction that carried them, so
 *       holding the version proves nothing).
 * </ul>
 */
final class KeptDeletes {
  private final List<RowChange> tombstones;
  private final List<RowKey> compacted;

  private KeptDeletes(List<RowChange> tombstones, List<RowKey> compacted) {
    this.tombstones = tombstones;
    this.compacted = compacted;
  }

  /** What this POP ({@code main}) knows was deleted, against the copy attached as {@code snap}. */
  static KeptDeletes find(Connection c) throws SQLException {
    List<RowChange> tombstones = new ArrayList<>();
    try (PreparedStatement st = c.prepareStatement("SELECT tbl, pk, cl, hlc, node FROM main.__edge_rows WHERE cl % 2 = 0");
        ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        tombstones.add(RowChange.tombstone(rs.getString(1), rs.getString(2), rs.getLong(3), new Version(rs.getLong(4), rs.getString(5))));
      }
    }
    List<RowKey> compacted = new ArrayList<>();
    try (PreparedStatement st = c.prepareStatement("SELECT s.tbl, s.pk FROM snap.__edge_rows s"
        + " JOIN main.__edge_holds h ON h.origin = s.node"
        + " WHERE s.cl % 2 = 1 AND s.hlc > 0 AND (s.hlc & ?) = 0 AND s.hlc <= h.hlc"
        + " AND NOT EXISTS (SELECT 1 FROM main.__edge_rows m WHERE m.tbl = s.tbl AND m.pk = s.pk)"
        + " AND s.tbl <> ? AND NOT (s.tbl = ? AND EXISTS (SELECT 1 FROM snap.__edge_rows r WHERE r.tbl = ? AND r.pk = s.pk))")) {
      st.setLong(1, LocalCapture.PAST_COUNTER);
      st.setString(2, Tables.REGISTRATIONS);
      st.setString(3, Tables.BACKENDS);
      st.setString(4, Tables.REGISTRATIONS);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          compacted.add(new RowKey(rs.getString(1), rs.getString(2)));
        }
      }
    }
    return new KeptDeletes(tombstones, compacted);
  }

  /**
   * After the copy replaced the rows (capture paused): merges the tombstones back, then deletes
   * again the rows this POP had compacted deletes of, with capture running so they become this
   * POP's next transaction. Returns how many rows it deleted again.
   */
  int apply(Connection c, ReplicatedSchema schema, Map<String, Long> horizons) throws SQLException {
    try (Statements st = new Statements(c)) {
      RowMerger merger = new RowMerger(st, schema, new Clocks(st, d -> { }), horizons); // the digest is rebuilt after
      for (RowChange tombstone : tombstones) {
        merger.merge(tombstone);
      }
      ReplicaStore.setCapturePaused(c, false);
      int deleted = 0;
      for (RowKey row : compacted) {
        ReplicatedTable table = schema.table(row.table()).orElse(null);
        if (table != null) {
          BaseRows.delete(st, table, row.key());
          deleted++;
        }
      }
      return deleted;
    }
  }
}
