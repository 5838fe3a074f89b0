package io.edgeproxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.edge.CachePurge;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecentPurgesTest {
  private static final String A = HttpCache.keyOf("web", "https", "h.test", "/a");
  private static final String B = HttpCache.keyOf("web", "https", "h.test", "/b");

  @Test
  void aBusyAppsWritesDoNotMakeAnotherKeysFillLookPurged() {
    RecentPurges recent = new RecentPurges();
    long since = recent.epoch();
    for (int i = 0; i < 5_000; i++) {
      recent.invalidated(B); // a POST storm on one key
    }
    assertThat(recent.selectedSince(since, A, List.of())).isFalse();
    assertThat(recent.selectedSince(since, B, List.of())).isTrue();
  }

  @Test
  void purgesSelectByTheirRuleAndForgottenOnesCountAsSelecting() {
    RecentPurges recent = new RecentPurges();
    long since = recent.epoch();
    recent.applied(new CachePurge("p1", "web", CachePurge.Kind.TAG, "news", 1));
    assertThat(recent.selectedSince(since, A, List.of("sport"))).isFalse();
    assertThat(recent.selectedSince(since, A, List.of("news"))).isTrue();
    for (int i = 0; i < RecentPurges.KEPT_PURGES; i++) {
      recent.applied(new CachePurge("q" + i, "other", CachePurge.Kind.ALL, "", 1));
    }
    assertThat(recent.selectedSince(since, A, List.of("sport"))).as("p1 forgotten: assumed to select").isTrue();
    for (int i = 0; i < RecentPurges.KEPT_KEYS + 1; i++) {
      recent.invalidated("k" + i);
    }
    long later = recent.epoch();
    assertThat(recent.selectedSince(later, A, List.of())).isFalse();
  }
}
