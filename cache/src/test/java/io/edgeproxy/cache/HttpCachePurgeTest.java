package io.edgeproxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.edge.CachePurge;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpCachePurgeTest {
  private final HttpCache cache = new HttpCache("t", 1 << 20, 1 << 16, () -> 1_000L);

  private void put(String app, String target, String... fields) {
    HttpHeaders h = new DefaultHttpHeaders();
    for (int i = 0; i < fields.length; i += 2) {
      h.add(fields[i], fields[i + 1]);
    }
    cache.store(HttpCache.keyOf(app, "https", "h.test", target), new CacheEntry(200, h, MemoryBody.EMPTY,
        new Freshness(60_000, 0, 1_000, -1, -1, false, false), List.of(), List.of()));
  }

  private boolean has(String app, String target) {
    return cache.lookup(HttpCache.keyOf(app, "https", "h.test", target), new DefaultHttpHeaders()) != null;
  }

  private static CachePurge purge(String id, String app, CachePurge.Kind kind, String value) {
    return new CachePurge(id, app, kind, value, 1_000);
  }

  @Test
  void aPathPurgeTakesEveryQueryOfThePathUnlessItNamesOne() {
    put("web", "/a");
    put("web", "/a?x=1");
    put("web", "/a?x=2");
    put("web", "/ab");
    assertThat(cache.applyPurges(List.of(purge("p1", "web", CachePurge.Kind.PATH, "/a?x=1")))).isEqualTo(1);
    assertThat(has("web", "/a?x=2")).isTrue();
    assertThat(cache.applyPurges(List.of(purge("p2", "web", CachePurge.Kind.PATH, "/a")))).isEqualTo(2);
    assertThat(has("web", "/ab")).isTrue();
  }

  @Test
  void prefixTagAndAllStayWithinTheirApp() {
    put("web", "/img/1.png", "Surrogate-Key", "images  product-7");
    put("web", "/img/2.png", "Cache-Tag", "images,product-8");
    put("web", "/doc", "Cache-Tag", "product-7");
    put("api", "/img/1.png");
    assertThat(cache.applyPurges(List.of(purge("t1", "web", CachePurge.Kind.TAG, "product-7")))).isEqualTo(2);
    assertThat(has("web", "/img/2.png")).isTrue();
    assertThat(cache.applyPurges(List.of(purge("x1", "web", CachePurge.Kind.PREFIX, "/img/")))).isEqualTo(1);
    assertThat(has("api", "/img/1.png")).isTrue();
    put("web", "/again");
    assertThat(cache.applyPurges(List.of(purge("a1", "web", CachePurge.Kind.ALL, "")))).isEqualTo(1);
    assertThat(has("api", "/img/1.png")).isTrue();
  }

  @Test
  void aPurgeIsAppliedOnceWhateverSnapshotRepeatsIt() {
    CachePurge once = purge("p-once", "web", CachePurge.Kind.ALL, "");
    put("web", "/a");
    assertThat(cache.applyPurges(List.of(once))).isEqualTo(1);
    put("web", "/a"); // stored after the purge was applied: stays
    assertThat(cache.applyPurges(List.of(once))).isZero();
    assertThat(has("web", "/a")).isTrue();
    assertThat(cache.stats().of("web").purged()).isEqualTo(1);
  }
}
