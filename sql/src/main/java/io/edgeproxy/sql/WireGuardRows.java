package io.edgeproxy.sql;

import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * routing.db's {@code wireguard_peers}: every POP's signed WireGuard announcement, by node id. A
 * POP writes only its own row (through change capture, so it replicates); what a row is worth is
 * decided by whoever reads it, after checking its signature.
 */
public final class WireGuardRows {
  private final RoutingDb db;

  public WireGuardRows(RoutingDb db) {
    this.db = db;
  }

  /** Every row, by node id; rows without a node or an announcement are left out. */
  public Map<String, String> all() {
    return db.read(c -> {
      Map<String, String> out = new LinkedHashMap<>();
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT node, announcement FROM wireguard_peers ORDER BY node")) {
        while (rs.next()) {
          String node = rs.getString(1);
          String text = rs.getString(2);
          if (node != null && text != null) {
            out.put(node, text);
          }
        }
      }
      return out;
    });
  }

  /** Writes {@code node}'s announcement; nothing (no change to replicate) when the row already holds it. */
  public boolean publish(String node, String announcement) {
    return db.write("INSERT INTO wireguard_peers (node, announcement) VALUES (?, ?) ON CONFLICT(node) DO UPDATE"
        + " SET announcement = excluded.announcement WHERE announcement IS NOT excluded.announcement", node, announcement) > 0;
  }

  /** Deletes {@code node}'s row (a POP retired for good); false when there was none. A POP still running writes it again. */
  public boolean forget(String node) {
    return db.write("DELETE FROM wireguard_peers WHERE node = ?", node) > 0;
  }
}
