package io.edgeproxy.sql;

import io.edgeproxy.core.geo.IpAddresses;
import io.edgeproxy.core.geo.RegionMap;
import io.edgeproxy.core.routing.Backend;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ObjLongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Reads routing.db's {@code tunnels} table as backends: each connected tunnel is a backend of its
 * app, in the agent's region, reached through the POP holding it. A row that does not hold up is
 * skipped and described, as in the other tables.
 */
final class TunnelReader {
  /** Selection's defaults for a tunnel: one share of weight, a soft limit of 100 connections, no hard limit. */
  static final int WEIGHT = 1;
  static final int SOFT_LIMIT = 100;

  private TunnelReader() {}

  /** Hands every valid row, as a backend, to {@code accept} with its lease end. */
  static void read(Connection c, RegionMap regions, List<String> problems, ObjLongConsumer<Backend> accept) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT rowid, id, app, agent, pop, remote_ip, remote_port, region, country, expires_ms FROM tunnels ORDER BY rowid")) {
      while (rs.next()) {
        List<String> wrong = new ArrayList<>();
        String id = text(rs.getObject(2), "id", wrong);
        String app = text(rs.getObject(3), "app", wrong);
        text(rs.getObject(4), "agent", wrong);
        String pop = text(rs.getObject(5), "pop", wrong);
        String ip = text(rs.getObject(6), "remote_ip", wrong);
        InetAddress address = ip == null ? null : IpAddresses.parseLiteral(ip).orElse(null);
        if (ip != null && address == null) {
          wrong.add("remote_ip '" + ip + "' is not an IP address");
        }
        Object port = rs.getObject(7);
        if (!(port instanceof Integer || port instanceof Long) || ((Number) port).longValue() < 1 || ((Number) port).longValue() > 65535) {
          wrong.add("remote_port " + port + " (expected: an integer 1-65535)");
        }
        String region = text(rs.getObject(8), "region", wrong);
        if (region != null && !regions.isKnownRegion(RegionMap.normalizeRegion(region))) {
          wrong.add("region '" + region + "' is not a known region");
        }
        Object country = rs.getObject(9);
        if (country != null && !(country instanceof String s && s.matches("[A-Za-z]{2}"))) {
          wrong.add("country " + country + " (expected: two letters or NULL)");
        }
        Object expires = rs.getObject(10);
        if (!(expires instanceof Integer || expires instanceof Long)) {
          wrong.add("expires_ms " + expires + " (expected: milliseconds since 1970)");
        }
        if (!wrong.isEmpty()) {
          problems.add("tunnels row (rowid " + rs.getLong(1) + (id == null ? "" : ", id " + id) + ") skipped: "
              + String.join("; ", wrong));
          continue;
        }
        Backend tunnel = new Backend(id, app, RegionMap.normalizeRegion(region),
            country == null ? null : ((String) country).toUpperCase(Locale.ROOT), address, ((Number) port).intValue(), true,
            WEIGHT, SOFT_LIMIT, 0, new Backend.TunnelEnd(id, pop));
        accept.accept(tunnel, ((Number) expires).longValue());
      }
    }
  }

  private static @Nullable String text(@Nullable Object value, String column, List<String> wrong) {
    if (value instanceof String s && !s.isBlank()) {
      return s;
    }
    wrong.add(column + " " + (value == null ? "is NULL" : value + " is not text") + " (expected: non-empty text)");
    return null;
  }
}
