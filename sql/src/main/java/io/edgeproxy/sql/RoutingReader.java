package io.edgeproxy.sql;

import io.edgeproxy.core.geo.RegionMap;
import io.edgeproxy.core.routing.AppSettings;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.RoutingData;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/** Reads routing.db's tables into {@link RoutingData} in one read transaction, skipping bad rows. */
final class RoutingReader {
  private RoutingReader() {}

  /** Reads every table; a registered backend's lease decides at {@code nowMs} whether it routes (see {@link LeaseRule}). */
  static LoadResult read(Connection connection, LeaseRule rule, long nowMs) throws SQLException {
    List<String> problems = new ArrayList<>();
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false); // one snapshot of every table
    try {
      RegionMap regions = RegionMap.defaults().withOverrides(regionOverrides(connection, problems));
      Map<String, AppSettings> apps = withHealthChecks(apps(connection, problems), connection, problems);
      Map<String, Long> leases = leases(connection);
      List<Backend> backends = backends(connection, regions, problems, id -> {
        Long expires = leases.get(id);
        return expires == null ? null : rule.stateAt(expires, nowMs);
      });
      TunnelReader.read(connection, regions, problems, (tunnel, expires) -> {
        leases.put(tunnel.id(), expires);
        Backend leased = underLease(tunnel, rule.stateAt(expires, nowMs));
        if (leased != null) {
          backends.add(leased);
        }
      });
      return new LoadResult(new RoutingData(backends, regions, apps, EdgeRows.read(connection, problems)), problems, leases);
    } finally {
      connection.rollback();
      connection.setAutoCommit(autoCommit);
    }
  }

  private static Map<String, String> regionOverrides(Connection c, List<String> problems) throws SQLException {
    Map<String, String> out = new HashMap<>();
    readPairs(c, "region_countries", "country, region", RowValidator::checkRegionCountry, problems,
        (country, region) -> out.put(RegionMap.normalizeCountry((String) country), RegionMap.normalizeRegion((String) region)));
    return out;
  }

  private static Map<String, AppSettings> apps(Connection c, List<String> problems) throws SQLException {
    Map<String, AppSettings> out = new HashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT rowid, name, proxy_protocol, protocol, http_redirect, cache, auth FROM apps"
            + " ORDER BY rowid")) {
      while (rs.next()) {
        switch (RowValidator.checkApp(new RowValidator.AppRow(rs.getObject(2), rs.getObject(3), rs.getObject(4), rs.getObject(5),
            rs.getObject(6), rs.getObject(7)))) {
          case RowValidator.AppResult.Valid v -> out.put(v.app().name(), v.app());
          case RowValidator.AppResult.Invalid i -> {
            problems.add("apps row (rowid " + rs.getLong(1) + ") skipped: " + i.problem()
                + (i.guarded() == null ? "" : " (until it is fixed, requests to the app need a client token)"));
            if (i.guarded() != null) {
              out.put(i.guarded().name(), i.guarded());
            }
          }
        }
      }
    }
    return out;
  }

  private static Map<String, AppSettings> withHealthChecks(Map<String, AppSettings> apps, Connection c, List<String> problems)
      throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT rowid, app, type, path, interval_ms, timeout_ms, rise, fall"
            + " FROM health_checks ORDER BY rowid")) {
      while (rs.next()) {
        switch (RowValidator.checkHealthCheck(rs.getObject(2), rs.getObject(3), rs.getObject(4), rs.getObject(5),
            rs.getObject(6), rs.getObject(7), rs.getObject(8))) {
          case RowValidator.CheckResult.Valid v -> apps.put(v.app(),
              apps.getOrDefault(v.app(), AppSettings.defaults(v.app())).withHealthCheck(v.check()));
          case RowValidator.CheckResult.Invalid i ->
              problems.add("health_checks row (rowid " + rs.getLong(1) + ") skipped: " + i.problem());
        }
      }
    }
    return apps;
  }

  /** Reads two columns of every row of {@code table}; rows {@code check} objects to are skipped and described. */
  private static void readPairs(Connection c, String table, String columns,
      BiFunction<@Nullable Object, @Nullable Object, @Nullable String> check, List<String> problems,
      BiConsumer<Object, Object> accept) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT rowid, " + columns + " FROM " + table + " ORDER BY rowid")) {
      while (rs.next()) {
        Object first = rs.getObject(2);
        Object second = rs.getObject(3);
        String problem = check.apply(first, second);
        if (problem != null) {
          problems.add(table + " row (rowid " + rs.getLong(1) + ") skipped: " + problem);
        } else {
          accept.accept(first, second);
        }
      }
    }
  }

  /** The lease end of every registration with a usable one, by backend id. */
  static Map<String, Long> leases(Connection c) throws SQLException {
    Map<String, Long> out = new HashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, expires_ms FROM registrations WHERE id IS NOT NULL")) {
      while (rs.next()) {
        long expires = rs.getLong(2);
        out.put(rs.getString(1), rs.wasNull() ? Long.MIN_VALUE / 2 : expires);
      }
    }
    return out;
  }

  /** {@code valid} as a lease in {@code state} lets it route: unchanged, unhealthy, or left out (null). */
  static @Nullable Backend underLease(Backend valid, LeaseRule.@Nullable State state) {
    if (state == null || state == LeaseRule.State.ALIVE) {
      return valid;
    }
    return state == LeaseRule.State.EXPIRED ? valid.withHealthy(false) : null;
  }

  private static List<Backend> backends(Connection c, RegionMap regions, List<String> problems,
      java.util.function.Function<String, LeaseRule.@Nullable State> lease) throws SQLException {
    List<Backend> out = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT rowid, id, app, region, country, wg_ip, port, healthy, weight,"
            + " soft_limit, hard_limit, deleted FROM backends ORDER BY rowid")) {
      while (rs.next()) {
        BackendRow row = new BackendRow(rs.getLong(1), rs.getObject(2), rs.getObject(3), rs.getObject(4),
            rs.getObject(5), rs.getObject(6), rs.getObject(7), rs.getObject(8), rs.getObject(9),
            rs.getObject(10), rs.getObject(11), rs.getObject(12));
        switch (RowValidator.validate(row, regions)) {
          case RowValidator.Result.Valid v -> {
            Backend leased = underLease(v.backend(), lease.apply(v.backend().id()));
            if (leased != null) {
              out.add(leased);
            }
          }
          case RowValidator.Result.Deleted d -> { }
          case RowValidator.Result.Invalid invalid ->
              problems.add("backends row " + row.describe() + " skipped: " + String.join("; ", invalid.problems()));
        }
      }
    }
    return out;
  }
}
