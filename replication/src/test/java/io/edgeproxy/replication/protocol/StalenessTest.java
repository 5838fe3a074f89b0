package io.edgeproxy.replication.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StalenessTest {
  private static Staleness.Side side(String node, Map<String, Long> holds, Map<String, Long> horizons, long lastSync) {
    return new Staleness.Side(node, holds, horizons, lastSync);
  }

  @Test
  void popsThatHoldWhatTheOtherCompactedMerge() {
    var a = side("a", Map.of("a", 100L, "b", 90L), Map.of("b", 50L), 1_000);
    var b = side("b", Map.of("a", 80L, "b", 95L), Map.of("a", 70L), 1_000);
    assertThat(Staleness.judge(a, b)).isEqualTo(Staleness.Verdict.MERGE);
    assertThat(Staleness.judge(b, a)).isEqualTo(Staleness.Verdict.MERGE);
  }

  @Test
  void aPopMissingDeletesThePeerCompactedRejoinsAndThePeerRefusesIt() {
    var cutOff = side("q", Map.of("a", 10L), Map.of(), 100);
    var current = side("a", Map.of("a", 500L), Map.of("a", 200L), 9_000);
    assertThat(Staleness.judge(cutOff, current)).isEqualTo(Staleness.Verdict.REJOIN);
    assertThat(Staleness.judge(current, cutOff)).isEqualTo(Staleness.Verdict.PEER_REJOINS);
    assertThat(Staleness.reason(cutOff, current)).contains("compacted tombstones of a");
  }

  @Test
  void aNewPopWithNothingHeldRejoinsOnlyWhenSomethingWasCompacted() {
    var fresh = side("new", Map.of(), Map.of(), 0);
    assertThat(Staleness.judge(fresh, side("a", Map.of("a", 5L), Map.of(), 9_000))).isEqualTo(Staleness.Verdict.MERGE);
    assertThat(Staleness.judge(fresh, side("a", Map.of("a", 5L), Map.of("a", 1L), 9_000))).isEqualTo(Staleness.Verdict.REJOIN);
  }

  @Test
  void whenEachCompactedWhatTheOtherLacksExactlyOneSideRejoins() {
    var left = side("left", Map.of("left", 900L, "right", 100L), Map.of("left", 500L), 5_000);
    var right = side("right", Map.of("left", 100L, "right", 900L), Map.of("right", 500L), 6_000);
    assertThat(Staleness.judge(left, right)).isEqualTo(Staleness.Verdict.REJOIN); // synced longer ago
    assertThat(Staleness.judge(right, left)).isEqualTo(Staleness.Verdict.PEER_REJOINS);
    var tieLeft = side("left", left.holds(), left.horizons(), 6_000);
    assertThat(Staleness.judge(tieLeft, right)).isEqualTo(Staleness.Verdict.PEER_REJOINS); // tie: the larger id rejoins
    assertThat(Staleness.judge(right, tieLeft)).isEqualTo(Staleness.Verdict.REJOIN);
  }
}
