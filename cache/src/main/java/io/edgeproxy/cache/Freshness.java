package io.edgeproxy.cache;

/**
 * How long a stored response stays fresh and how old it is (RFC 9111 §4.2), fixed when it was
 * received; all times in milliseconds.
 *
 * @param lifetimeMs freshness lifetime (§4.2.1); 0 when the response is stale at once
 * @param initialAgeMs corrected initial age (§4.2.3): how old the response already was on arrival
 * @param receivedMs when the response arrived (response_time)
 * @param staleWhileRevalidateMs how long past its lifetime it may be served while refreshed (RFC 5861), or -1
 * @param staleIfErrorMs how long past its lifetime it may be served when the origin fails (RFC 5861), or -1
 * @param noCache every use needs a successful revalidation first ({@code no-cache})
 * @param forbidsStale never served stale ({@code must-revalidate}, {@code proxy-revalidate}, {@code s-maxage})
 */
public record Freshness(long lifetimeMs, long initialAgeMs, long receivedMs, long staleWhileRevalidateMs, long staleIfErrorMs,
    boolean noCache, boolean forbidsStale) {

  /** current_age at {@code nowMs} (§4.2.3). */
  public long ageMs(long nowMs) {
    return initialAgeMs + Math.max(0, nowMs - receivedMs);
  }

  /** The Age field value at {@code nowMs}, in seconds (§5.1). */
  public long ageSeconds(long nowMs) {
    return ageMs(nowMs) / 1000;
  }

  /** May be served without contacting the origin (§4.2). */
  public boolean isFresh(long nowMs) {
    return !noCache && ageMs(nowMs) < lifetimeMs;
  }

  /** Remaining freshness in whole seconds, negative once stale (RFC 9211 {@code ttl}). */
  public long ttlSeconds(long nowMs) {
    return Math.floorDiv(lifetimeMs - ageMs(nowMs), 1000);
  }

  /** May be served stale while a refresh runs in the background (RFC 5861 §3). */
  public boolean staleWhileRevalidate(long nowMs) {
    return !noCache && !forbidsStale && staleWhileRevalidateMs >= 0 && ageMs(nowMs) < lifetimeMs + staleWhileRevalidateMs;
  }

  /** May be served stale because the origin failed (RFC 5861 §4). */
  public boolean staleIfError(long nowMs) {
    return !noCache && !forbidsStale && staleIfErrorMs >= 0 && ageMs(nowMs) < lifetimeMs + staleIfErrorMs;
  }
}
