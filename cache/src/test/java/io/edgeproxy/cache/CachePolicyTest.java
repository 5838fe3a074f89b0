package io.edgeproxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

class CachePolicyTest {
  private static final long NOW = 1_800_000_000_000L;

  private static HttpHeaders h(String... pairs) {
    HttpHeaders out = new DefaultHttpHeaders();
    for (int i = 0; i < pairs.length; i += 2) {
      out.add(pairs[i], pairs[i + 1]);
    }
    return out;
  }

  private static String date(long ms) {
    return DateFormatter.format(new Date(ms));
  }

  private static CachePolicy.Decision decide(HttpHeaders request, int status, HttpHeaders response) {
    return CachePolicy.decide(request, status, response, NOW - 20, NOW);
  }

  private static Freshness stored(HttpHeaders request, int status, HttpHeaders response) {
    CachePolicy.Decision d = decide(request, status, response);
    assertThat(d).isInstanceOf(CachePolicy.Decision.Store.class);
    return ((CachePolicy.Decision.Store) d).freshness();
  }

  private static String refused(HttpHeaders request, int status, HttpHeaders response) {
    CachePolicy.Decision d = decide(request, status, response);
    assertThat(d).isInstanceOf(CachePolicy.Decision.DontStore.class);
    return ((CachePolicy.Decision.DontStore) d).why();
  }

  @Test
  void sMaxAgeWinsOverMaxAgeWhichWinsOverExpires() {
    assertThat(stored(h(), 200, h("cache-control", "max-age=60, s-maxage=120", "expires", date(NOW + 10_000))).lifetimeMs())
        .isEqualTo(120_000);
    assertThat(stored(h(), 200, h("cache-control", "max-age=60", "expires", date(NOW + 10_000))).lifetimeMs()).isEqualTo(60_000);
    assertThat(stored(h(), 200, h("date", date(NOW - 5_000), "expires", date(NOW + 10_000))).lifetimeMs()).isEqualTo(15_000);
  }

  @Test
  void cdnCacheControlReplacesCacheControlForUs() {
    Freshness f = stored(h(), 200, h("cache-control", "no-store", "cdn-cache-control", "max-age=300"));
    assertThat(f.lifetimeMs()).isEqualTo(300_000);
    assertThat(refused(h(), 200, h("cache-control", "max-age=300", "cdn-cache-control", "no-store"))).isEqualTo("no-store");
  }

  @Test
  void theHeuristicIsATenthOfTheAgeSinceLastModifiedAndOnlyForHeuristicStatuses() {
    HttpHeaders r = h("date", date(NOW), "last-modified", date(NOW - 1_000_000));
    assertThat(stored(h(), 200, r).lifetimeMs()).isEqualTo(100_000);
    assertThat(refused(h(), 302, r)).contains("without explicit freshness");
    assertThat(stored(h(), 200, h("date", date(NOW), "last-modified", date(NOW - 365L * 86_400_000))).lifetimeMs())
        .isEqualTo(CachePolicy.HEURISTIC_CAP_MS);
  }

  @Test
  void privateNoStoreCookiesVaryStarAndPartialResponsesAreNotStored() {
    assertThat(refused(h(), 200, h("cache-control", "private, max-age=60"))).isEqualTo("private");
    assertThat(refused(h(), 200, h("cache-control", "no-store"))).isEqualTo("no-store");
    assertThat(refused(h("cache-control", "no-store"), 200, h("cache-control", "max-age=60"))).isEqualTo("no-store");
    assertThat(refused(h(), 200, h("cache-control", "max-age=60", "set-cookie", "a=b"))).isEqualTo("Set-Cookie");
    assertThat(refused(h(), 200, h("cache-control", "max-age=60", "vary", "Accept, *"))).isEqualTo("Vary: *");
    assertThat(refused(h(), 206, h("cache-control", "max-age=60"))).isEqualTo("status 206");
  }

  @Test
  void authorizedRequestsAreStoredOnlyWhenTheResponseSaysSo() {
    HttpHeaders auth = h("authorization", "Bearer x");
    assertThat(refused(auth, 200, h("cache-control", "max-age=60"))).contains("Authorization");
    assertThat(stored(auth, 200, h("cache-control", "public, max-age=60")).lifetimeMs()).isEqualTo(60_000);
    assertThat(stored(auth, 200, h("cache-control", "s-maxage=60")).lifetimeMs()).isEqualTo(60_000);
    assertThat(stored(auth, 200, h("cache-control", "must-revalidate, max-age=60")).lifetimeMs()).isEqualTo(60_000);
  }

  @Test
  void ageCountsTheOriginsAgeTheTripAndTheTimeStored() {
    Freshness f = CachePolicy.decide(h(), 200, h("cache-control", "max-age=100", "age", "30", "date", date(NOW)), NOW - 2_000, NOW)
        instanceof CachePolicy.Decision.Store s ? s.freshness() : null;
    assertThat(f.initialAgeMs()).isEqualTo(32_000);
    assertThat(f.ageSeconds(NOW + 10_000)).isEqualTo(42);
    assertThat(f.isFresh(NOW + 67_000)).isTrue();
    assertThat(f.isFresh(NOW + 68_000)).isFalse();
    assertThat(f.ttlSeconds(NOW + 78_000)).isEqualTo(-10);
  }

  @Test
  void staleAllowancesFollowRfc5861AndYieldToMustRevalidate() {
    Freshness f = stored(h(), 200, h("cache-control", "max-age=10, stale-while-revalidate=30, stale-if-error=60"));
    assertThat(f.staleWhileRevalidate(NOW + 30_000)).isTrue();
    assertThat(f.staleWhileRevalidate(NOW + 41_000)).isFalse();
    assertThat(f.staleIfError(NOW + 69_000)).isTrue();
    assertThat(f.staleIfError(NOW + 71_000)).isFalse();
    Freshness strict = stored(h(), 200, h("cache-control", "max-age=10, must-revalidate, stale-if-error=60"));
    assertThat(strict.staleIfError(NOW + 20_000)).isFalse();
    Freshness shared = stored(h(), 200, h("cache-control", "s-maxage=10, stale-while-revalidate=60"));
    assertThat(shared.staleWhileRevalidate(NOW + 20_000)).isFalse();
  }

  @Test
  void noCacheIsStoredButNeverFresh() {
    Freshness f = stored(h(), 200, h("cache-control", "no-cache, max-age=600", "etag", "\"v1\""));
    assertThat(f.isFresh(NOW)).isFalse();
  }

  @Test
  void staleOnArrivalWithoutValidatorsIsNotWorthStoring() {
    assertThat(refused(h(), 200, h("cache-control", "max-age=0"))).contains("stale on arrival");
    assertThat(stored(h(), 200, h("cache-control", "max-age=0", "etag", "\"x\"")).isFresh(NOW)).isFalse();
    assertThat(stored(h(), 200, h("expires", "not a date", "last-modified", date(NOW - 1000))).lifetimeMs()).isZero();
  }

  @Test
  void directivesParseLenientlyAndQuotedCommasStayInside() {
    Directives d = Directives.parse(List.of("Max-Age=\"30\", no-cache=\"set-cookie, x\"", "s-maxage=abc, public"));
    assertThat(d.maxAge()).isEqualTo(30);
    assertThat(d.noCache()).isTrue();
    assertThat(d.sMaxAge()).isEqualTo(Directives.ABSENT);
    assertThat(d.isPublic()).isTrue();
    assertThat(Directives.parse(List.of("max-age=99999999999999999999")).maxAge()).isEqualTo(Directives.ABSENT);
    assertThat(Directives.parse(List.of("max-age=10, max-age=20")).maxAge()).isEqualTo(10);
  }

  @Test
  void varyValuesSelectTheVariant() {
    var e = new CacheEntry(200, h(), MemoryBody.EMPTY, stored(h(), 200, h("cache-control", "max-age=60")), List.of("accept-encoding"),
        CacheEntry.valuesOf(h("accept-encoding", "gzip,  br"), List.of("accept-encoding")));
    assertThat(e.matches(h("Accept-Encoding", "gzip, br"))).isTrue();
    assertThat(e.matches(h("accept-encoding", "identity"))).isFalse();
    assertThat(e.matches(h())).isFalse();
    assertThat(CachePolicy.varyNames(h("vary", "Accept-Encoding, accept-language", "vary", "Accept-Encoding")))
        .containsExactly("accept-encoding", "accept-language");
  }
}
