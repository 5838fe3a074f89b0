package io.edgeproxy.cache;

import java.util.List;
import java.util.Locale;

/**
 * The Cache-Control directives a shared cache acts on (RFC 9111 §5.2, RFC 5861), from the
 * {@code Cache-Control} or {@code CDN-Cache-Control} (RFC 9213) field lines of a message. Parsing
 * is lenient as RFC 9111 asks: an unknown directive is ignored, and a delta-seconds value that is
 * not a number makes that directive absent (a {@code max-age} that cannot be read then gives no
 * explicit freshness, so the response is stale unless another rule says otherwise).
 *
 * <p>Seconds are {@link #ABSENT} when the directive is missing.
 */
public record Directives(boolean noStore, boolean noCache, boolean isPrivate, boolean isPublic, boolean mustRevalidate,
    boolean proxyRevalidate, long maxAge, long sMaxAge, long staleWhileRevalidate, long staleIfError) {
  public static final long ABSENT = -1;
  public static final Directives NONE = new Directives(false, false, false, false, false, false, ABSENT, ABSENT, ABSENT, ABSENT);
  /** Delta-seconds above this are taken as this (RFC 9111 §1.2.2: 2^31). */
  static final long MAX_SECONDS = 2_147_483_648L;

  /** The directives of every field line in {@code lines} (one field may span several lines). */
  public static Directives parse(List<String> lines) {
    if (lines.isEmpty()) {
      return NONE;
    }
    var b = new Builder();
    for (String line : lines) {
      for (String part : split(line)) {
        b.add(part);
      }
    }
    return b.build();
  }

  /** May a stale copy be served without revalidation at all (RFC 9111 §4.2.4, §5.2.2.2, §5.2.2.8, §5.2.2.10)? */
  public boolean forbidsStale() {
    return mustRevalidate || proxyRevalidate || sMaxAge != ABSENT;
  }

  /** Splits one field line at commas outside quoted strings. */
  private static List<String> split(String line) {
    var parts = new java.util.ArrayList<String>();
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"' && (i == 0 || line.charAt(i - 1) != '\\')) {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        parts.add(line.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(line.substring(start));
    return parts;
  }

  private static final class Builder {
    boolean noStore;
    boolean noCache;
    boolean isPrivate;
    boolean isPublic;
    boolean mustRevalidate;
    boolean proxyRevalidate;
    long maxAge = ABSENT;
    long sMaxAge = ABSENT;
    long swr = ABSENT;
    long sie = ABSENT;

    void add(String part) {
      String p = part.strip();
      if (p.isEmpty()) {
        return;
      }
      int eq = p.indexOf('=');
      String name = (eq < 0 ? p : p.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
      String value = eq < 0 ? null : unquote(p.substring(eq + 1).strip());
      switch (name) {
        case "no-store" -> noStore = true;
        // no-cache="field" (a qualified form) is treated as the unqualified one: always revalidate.
        case "no-cache" -> noCache = true;
        // private="field" forbids storing those fields only; a shared cache may instead not store at all.
        case "private" -> isPrivate = true;
        case "public" -> isPublic = true;
        case "must-revalidate" -> mustRevalidate = true;
        case "proxy-revalidate" -> proxyRevalidate = true;
        case "max-age" -> maxAge = seconds(value, maxAge);
        case "s-maxage" -> sMaxAge = seconds(value, sMaxAge);
        case "stale-while-revalidate" -> swr = seconds(value, swr);
        case "stale-if-error" -> sie = seconds(value, sie);
        default -> { } // extensions and request-only directives: ignored
      }
    }

    /** A delta-seconds value; the first occurrence wins (a repeated directive is invalid, RFC 9111 §4.2.1). */
    private static long seconds(String value, long current) {
      if (current != ABSENT || value == null || value.isEmpty() || value.length() > 12) {
        return current;
      }
      for (int i = 0; i < value.length(); i++) {
        if (value.charAt(i) < '0' || value.charAt(i) > '9') {
          return current;
        }
      }
      return Math.min(Long.parseLong(value), MAX_SECONDS);
    }

    private static String unquote(String v) {
      return v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"' ? v.substring(1, v.length() - 1) : v;
    }

    Directives build() {
      return new Directives(noStore, noCache, isPrivate, isPublic, mustRevalidate, proxyRevalidate, maxAge, sMaxAge, swr, sie);
    }
  }
}
