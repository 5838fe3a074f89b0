package io.edgeproxy.sql;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A backends row and its lease end, read together for the routing snapshot ({@link RoutingReloader#applyChanges}). */
record LeasedRow(@Nullable BackendRow row, @Nullable Long expiresMs) {

  /**
   * The backends rows with these ids and their leases, by id in the order given, in one read: a
   * statement per {@value KeyChunks#SIZE} ids, not one per id (replication applies thousands a second).
   */
  static Map<String, LeasedRow> read(RoutingDb db, Collection<String> ids) {
    return db.read(c -> {
      Map<String, @Nullable Long> leases = new HashMap<>();
      Map<String, BackendRow> rows = new HashMap<>();
      List<String> all = List.copyOf(ids);
      try (PreparedStatement lease = c.prepareStatement("SELECT id, expires_ms FROM registrations WHERE id" + KeyChunks.IN);
          PreparedStatement backend = c.prepareStatement("SELECT rowid, id, app, region, country, wg_ip, port, healthy, weight,"
              + " soft_limit, hard_limit, deleted FROM backends WHERE id" + KeyChunks.IN)) {
        KeyChunks.forEach(lease, 1, all, bound -> {
          try (ResultSet rs = bound.executeQuery()) {
            while (rs.next()) {
              long v = rs.getLong(2);
              boolean none = rs.wasNull(); // before the next column is read
              leases.put(rs.getString(1), none ? Long.MIN_VALUE / 2 : v);
            }
          }
        });
        KeyChunks.forEach(backend, 1, all, bound -> {
          try (ResultSet rs = bound.executeQuery()) {
            while (rs.next()) {
              rows.put(rs.getString(2), new BackendRow(rs.getLong(1), rs.getObject(2), rs.getObject(3), rs.getObject(4),
                  rs.getObject(5), rs.getObject(6), rs.getObject(7), rs.getObject(8), rs.getObject(9), rs.getObject(10),
                  rs.getObject(11), rs.getObject(12)));
            }
          }
        });
      }
      Map<String, LeasedRow> out = new LinkedHashMap<>();
      for (String id : all) {
        out.put(id, new LeasedRow(rows.get(id), leases.get(id)));
      }
      return out;
    });
  }
}
