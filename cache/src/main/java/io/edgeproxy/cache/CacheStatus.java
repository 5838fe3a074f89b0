package io.edgeproxy.cache;

/**
 * The {@code Cache-Status} field value (RFC 9211) of a response: how this cache handled it.
 */
public final class CacheStatus {
  public static final String FIELD = "cache-status";

  private CacheStatus() {}

  /** Served from the cache; {@code ttl} negative when stale. */
  public static String hit(String cache, long ttl) {
    return cache + "; hit; ttl=" + ttl;
  }

  /** Served stale from the cache because {@code detail} (e.g. the origin failed). */
  public static String staleHit(String cache, long ttl, String detail) {
    return cache + "; hit; ttl=" + ttl + "; detail=" + detail;
  }

  /** Went to the origin: {@code fwd} is uri-miss, vary-miss, stale or bypass; {@code stored} if kept. */
  public static String forward(String cache, String fwd, int status, boolean stored, boolean collapsed) {
    return cache + "; fwd=" + fwd + "; fwd-status=" + status + (stored ? "; stored" : "") + (collapsed ? "; collapsed" : "");
  }

  /**
   * Adds this cache's {@code value} to {@code fields}' Cache-Status after what caches nearer the
   * origin (a shield) put there: RFC 9211 lists them from the origin towards the client.
   */
  public static void add(io.netty.handler.codec.http.HttpHeaders fields, String value) {
    String before = fields.get(FIELD);
    fields.set(FIELD, before == null || before.isBlank() ? value : before + ", " + value);
  }

  /** Not answerable from the cache at all (method, range, ...). */
  public static String bypass(String cache) {
    return cache + "; fwd=bypass";
  }
}
