package io.edgeproxy.sql;

import io.edgeproxy.core.geo.IpAddresses;
import io.edgeproxy.core.geo.RegionMap;
import io.edgeproxy.core.routing.AppSettings;
import io.edgeproxy.core.routing.Backend;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import io.edgeproxy.core.routing.HealthCheck;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Validates rows of routing.db. Pure. Every problem of a row is reported (not only the first), in
 * the form {@code column: value (expected: ...)}.
 */
final class RowValidator {
  static final int MAX_WEIGHT = 10_000;
  static final int MAX_LIMIT = 10_000_000;
  private static final Pattern APP = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  /** Is {@code name} an app name (the rule every table's app column follows)? */
  static boolean isAppName(@Nullable String name) {
    return name != null && APP.matcher(name).matches();
  }
  private static final Pattern REGION = Pattern.compile("[a-z0-9-]{1,32}");
  private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");

  /** The outcome of validating one row. */
  sealed interface Result {
    record Valid(Backend backend) implements Result {}

    record Deleted() implements Result {}

    record Invalid(List<String> problems) implements Result {}
  }

  private RowValidator() {}

  static Result validate(BackendRow row, RegionMap regions) {
    List<String> problems = new ArrayList<>();
    Long deleted = integer(row.deleted(), 0L);
    if (deleted != null && deleted != 0) {
      return new Result.Deleted();
    }
    String id = row.id() instanceof String s ? s : null;
    if (id == null || id.isBlank() || !id.equals(id.strip())) {
      problems.add("id: " + show(row.id()) + " (expected: non-empty text without leading or trailing spaces)");
    }
    String app = text(row.app());
    if (app == null || !APP.matcher(app).matches()) {
      problems.add("app: " + show(row.app()) + " (expected: 1-128 letters, digits, '.', '_' or '-')");
    }
    String region = text(row.region()) == null ? null : RegionMap.normalizeRegion(text(row.region()));
    if (region == null || !REGION.matcher(region).matches()) {
      problems.add("region: " + show(row.region()) + " (expected: a region code such as " + String.join(", ", regions.regions()) + ")");
    } else if (!regions.isKnownRegion(region)) {
      problems.add("region: " + show(row.region()) + " is unknown (expected: one of " + String.join(", ", regions.regions())
          + ", or a region defined in table region_countries)");
    }
    String country = null;
    if (row.country() != null && !(row.country() instanceof String s && s.isBlank())) {
      country = text(row.country()) == null ? null : RegionMap.normalizeCountry(text(row.country()));
      if (country == null || !COUNTRY.matcher(country).matches()) {
        problems.add("country: " + show(row.country()) + " (expected: NULL or a two-letter ISO 3166 code)");
      }
    }
    InetAddress address = text(row.wgIp()) == null ? null : IpAddresses.parseLiteral(text(row.wgIp())).orElse(null);
    if (address == null) {
      problems.add("wg_ip: " + show(row.wgIp()) + " (expected: an IPv4 or IPv6 address)");
    }
    int port = bounded(row.port(), null, 1, 65535, "port", problems);
    int healthy = bounded(row.healthy(), 1L, 0, 1, "healthy", problems);
    int weight = bounded(row.weight(), 2L, 0, MAX_WEIGHT, "weight", problems);
    int soft = bounded(row.softLimit(), 100L, 0, MAX_LIMIT, "soft_limit", problems);
    int hard = bounded(row.hardLimit(), 150L, 0, MAX_LIMIT, "hard_limit", problems);
    if (deleted == null) {
      problems.add("deleted: " + show(row.deleted()) + " (expected: 0 or 1)");
    }
    if (!problems.isEmpty()) {
      return new Result.Invalid(problems);
    }
    return new Result.Valid(new Backend(id, app, region, country, address, port, healthy == 1, weight, soft, hard));
  }

  /** An integer column within [min, max]; NULL takes {@code ifNull} (a problem when that is null). */
  private static int bounded(@Nullable Object value, @Nullable Long ifNull, int min, int max, String column, List<String> problems) {
    Long v = integer(value, ifNull);
    if (v == null || v < min || v > max) {
      problems.add(column + ": " + show(value) + " (expected: an integer " + min + "-" + max + ")");
      return min;
    }
    return v.intValue();
  }

  /** The integer in {@code value} (SQLite may hand back Integer, Long, Double or numeric text). */
  static @Nullable Long integer(@Nullable Object value, @Nullable Long ifNull) {
    if (value == null) {
      return ifNull;
    }
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return d.longValue();
    }
    if (value instanceof String s) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  static @Nullable String text(@Nullable Object value) {
    return value instanceof String s ? s.trim() : null;
  }

  static String show(@Nullable Object value) {
    if (value == null) {
      return "NULL";
    }
    if (value instanceof byte[] bytes) {
      return "<blob of " + bytes.length + " bytes>";
    }
    String s = String.valueOf(value);
    if (s.length() > 64) {
      s = s.substring(0, 64) + "...";
    }
    return value instanceof String ? "'" + s + "'" : s;
  }

  /** Validates a region_countries row; null when fine, else the problem. */
  static @Nullable String checkRegionCountry(@Nullable Object country, @Nullable Object region) {
    String c = text(country);
    String r = text(region);
    List<String> problems = new ArrayList<>();
    if (c == null || !COUNTRY.matcher(c.toUpperCase(Locale.ROOT)).matches()) {
      problems.add("country: " + show(country) + " (expected: a two-letter ISO 3166 code)");
    }
    if (r == null || !REGION.matcher(r.toLowerCase(Locale.ROOT)).matches()) {
      problems.add("region: " + show(region) + " (expected: lower-case letters, digits or '-', 1-32 characters)");
    }
    return problems.isEmpty() ? null : String.join("; ", problems);
  }

  /** A validated apps row, or its problems. */
  sealed interface AppResult {
    record Valid(AppSettings app) implements AppResult {}

    /**
     * @param guarded what the app gets instead of its defaults when the row asked for edge auth (or
     *     its auth could not be read): HTTP mode with client tokens required. Edge auth fails closed:
     *     a typo elsewhere in the row must not open a guarded app. Null: the defaults.
     */
    record Invalid(String problem, @Nullable AppSettings guarded) implements AppResult {}
  }

  /** An apps row as read: every column as SQLite typed it. */
  record AppRow(@Nullable Object name, @Nullable Object proxyProtocol, @Nullable Object protocol, @Nullable Object httpRedirect,
      @Nullable Object cache, @Nullable Object auth) {}

  /** Validates an apps row; NULLs take the defaults. */
  static AppResult checkApp(AppRow row) {
    Object name = row.name();
    Object proxyProtocol = row.proxyProtocol();
    Object protocol = row.protocol();
    Object httpRedirect = row.httpRedirect();
    List<String> problems = new ArrayList<>();
    String n = text(name);
    if (n == null || !APP.matcher(n).matches()) {
      problems.add("name: " + show(name) + " (expected: 1-128 letters, digits, '.', '_' or '-')");
    }
    Long pp = integer(proxyProtocol, 0L);
    if (pp == null || (pp != 0 && pp != 1)) {
      problems.add("proxy_protocol: " + show(proxyProtocol) + " (expected: 0 or 1)");
    }
    String p = protocol == null ? "tcp" : text(protocol);
    AppSettings.Protocol parsed = p == null ? null : AppSettings.Protocol.of(p.toLowerCase(Locale.ROOT));
    if (parsed == null) {
      problems.add("protocol: " + show(protocol) + " (expected: 'tcp' or 'http')");
    }
    Long redirect = integer(httpRedirect, 1L);
    if (redirect == null || (redirect != 0 && redirect != 1)) {
      problems.add("http_redirect: " + show(httpRedirect) + " (expected: 0 or 1)");
    }
    Long cache = integer(row.cache(), 0L);
    if (cache == null || (cache != 0 && cache != 1)) {
      problems.add("cache: " + show(row.cache()) + " (expected: 0 or 1)");
    }
    String auth = row.auth() == null ? "none" : text(row.auth());
    if (!"none".equals(auth) && !"token".equals(auth)) {
      problems.add("auth: " + show(row.auth()) + " (expected: 'none' or 'token')");
    } else if ("token".equals(auth) && parsed != AppSettings.Protocol.HTTP) {
      problems.add("auth: 'token' needs protocol 'http' (the edge reads the token from the request)");
    }
    if (!problems.isEmpty()) {
      boolean nameOk = n != null && APP.matcher(n).matches();
      return new AppResult.Invalid(String.join("; ", problems), nameOk && !"none".equals(auth)
          ? AppSettings.defaults(n).withHttp(AppSettings.Protocol.HTTP, true).withClientTokens(true) : null);
    }
    return new AppResult.Valid(new AppSettings(n, pp == 1, null, parsed, redirect == 1, cache == 1, "token".equals(auth)));
  }

  static boolean isTrue(@Nullable Object value) {
    Long v = integer(value, 0L);
    return v != null && v == 1;
  }

  /** A validated health_checks row, or its problems. */
  sealed interface CheckResult {
    record Valid(String app, HealthCheck check) implements CheckResult {}

    record Invalid(String problem) implements CheckResult {}
  }

  /** Validates a health_checks row (app, type, path, interval_ms, timeout_ms, rise, fall). */
  static CheckResult checkHealthCheck(@Nullable Object app, @Nullable Object type, @Nullable Object path,
      @Nullable Object intervalMs, @Nullable Object timeoutMs, @Nullable Object rise, @Nullable Object fall) {
    List<String> problems = new ArrayList<>();
    String a = text(app);
    if (a == null || !APP.matcher(a).matches()) {
      problems.add("app: " + show(app) + " (expected: 1-128 letters, digits, '.', '_' or '-')");
    }
    String t = text(type);
    HealthCheck.Type kind = "tcp".equalsIgnoreCase(t) ? HealthCheck.Type.TCP : "http".equalsIgnoreCase(t) ? HealthCheck.Type.HTTP : null;
    if (kind == null) {
      problems.add("type: " + show(type) + " (expected: 'tcp' or 'http')");
    }
    String p = path == null ? "/" : text(path);
    if (p == null || !p.startsWith("/") || p.length() > 1024 || p.chars().anyMatch(ch -> ch <= ' ' || ch >= 127)) {
      problems.add("path: " + show(path) + " (expected: NULL or a request path starting with '/', printable ASCII, no spaces)");
    }
    int interval = bounded(intervalMs, 2000L, 100, 3_600_000, "interval_ms", problems);
    int timeout = bounded(timeoutMs, 1000L, 10, 60_000, "timeout_ms", problems);
    int up = bounded(rise, 2L, 1, 100, "rise", problems);
    int down = bounded(fall, 3L, 1, 100, "fall", problems);
    if (!problems.isEmpty()) {
      return new CheckResult.Invalid(String.join("; ", problems));
    }
    return new CheckResult.Valid(a, new HealthCheck(kind, p, Duration.ofMillis(interval), Duration.ofMillis(timeout), up, down));
  }
}
