package io.edgeproxy.cache;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Whether a shared cache may store a response, and for how long it is fresh (RFC 9111 §3, §4.2),
 * with {@code CDN-Cache-Control} (RFC 9213) taking the place of {@code Cache-Control} when present.
 * Pure: the caller passes the clock readings.
 *
 * <p>Beyond the RFC, as Varnish does by default: a response that sets a cookie is not stored (it
 * is usually meant for one client), nor is a partial (206) response or one to a range request.
 */
public final class CachePolicy {
  /** Status codes whose responses are stored without explicit freshness (RFC 9110 §15.1), less 206. */
  static final Set<Integer> HEURISTIC = Set.of(200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501);
  /** Statuses stored with explicit freshness: the heuristic ones and the other final ones a cache understands. */
  static final Set<Integer> UNDERSTOOD = Set.of(200, 203, 204, 300, 301, 302, 303, 307, 308, 400, 403, 404, 405, 410, 414,
      500, 501, 502, 503, 504);
  /** The heuristic's share of the time since Last-Modified (§4.2.2 suggests 10 %), and its cap. */
  static final double HEURISTIC_FRACTION = 0.1;
  static final long HEURISTIC_CAP_MS = 86_400_000L;
  public static final String CDN_CACHE_CONTROL = "cdn-cache-control";

  private CachePolicy() {}

  /** A response's fate in the cache. */
  public sealed interface Decision {
    /** Store it; {@code varyNames} are the request fields that select it (lowercase, empty for none). */
    record Store(Freshness freshness, List<String> varyNames) implements Decision {}

    /** Do not store it, because {@code why}. */
    record DontStore(String why) implements Decision {}
  }

  /** Whether a request may be answered from the cache at all, or goes to the origin (and why). */
  public static @Nullable String bypass(HttpMethod method, HttpHeaders request) {
    if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
      return "method " + method.name();
    }
    if (request.contains("range")) {
      return "range request";
    }
    if (request.contains("if-match") || request.contains("if-unmodified-since")) {
      return "precondition"; // evaluated by the origin, on the current representation
    }
    return null;
  }

  /** The directives that govern a response: CDN-Cache-Control when present (RFC 9213 §2.1), else Cache-Control. */
  public static Directives directivesOf(HttpHeaders response) {
    List<String> cdn = response.getAll(CDN_CACHE_CONTROL);
    return cdn.isEmpty() ? Directives.parse(response.getAll("cache-control")) : Directives.parse(cdn);
  }

  /**
   * Decides for the response to a GET. {@code requestMs}: when the request was sent on;
   * {@code responseMs}: when the response head arrived.
   */
  public static Decision decide(HttpHeaders request, int status, HttpHeaders response, long requestMs, long responseMs) {
    Directives req = Directives.parse(request.getAll("cache-control"));
    Directives res = directivesOf(response);
    if (req.noStore() || res.noStore()) {
      return new Decision.DontStore("no-store");
    }
    if (res.isPrivate()) {
      return new Decision.DontStore("private");
    }
    if (request.contains("authorization") && !res.isPublic() && res.sMaxAge() == Directives.ABSENT && !res.mustRevalidate()) {
      return new Decision.DontStore("request with Authorization, response not public");
    }
    if (response.contains("set-cookie")) {
      return new Decision.DontStore("Set-Cookie");
    }
    if (status == 206 || !UNDERSTOOD.contains(status)) {
      return new Decision.DontStore("status " + status);
    }
    List<String> vary = varyNames(response);
    if (vary.contains("*")) {
      return new Decision.DontStore("Vary: *");
    }
    boolean explicit = res.sMaxAge() != Directives.ABSENT || res.maxAge() != Directives.ABSENT || response.contains("expires");
    if (!explicit && !res.isPublic() && !HEURISTIC.contains(status)) {
      return new Decision.DontStore("status " + status + " without explicit freshness");
    }
    long date = dateOf(response, "date", responseMs);
    Freshness f = new Freshness(lifetimeMs(res, response, status, date), initialAgeMs(response, date, requestMs, responseMs),
        responseMs, seconds(res.staleWhileRevalidate()), seconds(res.staleIfError()), res.noCache(), res.forbidsStale());
    if (f.lifetimeMs() <= f.initialAgeMs() && !hasValidator(response) && f.staleWhileRevalidateMs() < 0
        && f.staleIfErrorMs() < 0) {
      return new Decision.DontStore("stale on arrival and nothing to revalidate it with");
    }
    return new Decision.Store(f, vary);
  }

  /** Has an ETag or Last-Modified to revalidate with (§4.3.1). */
  public static boolean hasValidator(HttpHeaders response) {
    return response.contains("etag") || response.contains("last-modified");
  }

  /** The field names of Vary, lowercase, sorted, without duplicates. */
  public static List<String> varyNames(HttpHeaders response) {
    var names = new java.util.TreeSet<String>();
    for (String line : response.getAll("vary")) {
      for (String n : line.split(",")) {
        String name = n.strip().toLowerCase(java.util.Locale.ROOT);
        if (!name.isEmpty()) {
          names.add(name);
        }
      }
    }
    return List.copyOf(names);
  }

  /** §4.2.1: s-maxage, max-age, Expires minus Date, then the heuristic of §4.2.2. */
  static long lifetimeMs(Directives d, HttpHeaders response, int status, long date) {
    if (d.sMaxAge() != Directives.ABSENT) {
      return d.sMaxAge() * 1000;
    }
    if (d.maxAge() != Directives.ABSENT) {
      return d.maxAge() * 1000;
    }
    String expires = response.get("expires");
    if (expires != null) {
      Date e = DateFormatter.parseHttpDate(expires);
      return e == null ? 0 : Math.max(0, e.getTime() - date); // an invalid Expires means already expired
    }
    String lastModified = response.get("last-modified");
    Date lm = lastModified == null ? null : DateFormatter.parseHttpDate(lastModified);
    if (lm != null && (HEURISTIC.contains(status) || d.isPublic()) && lm.getTime() < date) {
      return Math.min(HEURISTIC_CAP_MS, (long) ((date - lm.getTime()) * HEURISTIC_FRACTION));
    }
    return 0;
  }

  /** §4.2.3: corrected_initial_age. */
  static long initialAgeMs(HttpHeaders response, long date, long requestMs, long responseMs) {
    long apparent = Math.max(0, responseMs - date);
    long ageValue = 0;
    String age = response.get("age");
    if (age != null) {
      try {
        ageValue = Math.min(Long.parseLong(age.strip()), Directives.MAX_SECONDS) * 1000;
      } catch (NumberFormatException e) {
        ageValue = 0; // an invalid Age is ignored (§5.1)
      }
    }
    long corrected = ageValue + Math.max(0, responseMs - requestMs);
    return Math.max(apparent, corrected);
  }

  private static long dateOf(HttpHeaders h, String name, long fallback) {
    String v = h.get(name);
    Date d = v == null ? null : DateFormatter.parseHttpDate(v);
    return d == null ? fallback : d.getTime();
  }

  private static long seconds(long s) {
    return s == Directives.ABSENT ? -1 : s * 1000;
  }
}
