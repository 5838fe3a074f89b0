package io.edgeproxy.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RendezvousTest {
  private static List<Rendezvous.Node> nodes(int n) {
    List<Rendezvous.Node> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Rendezvous.Node("pop-" + i, 1));
    }
    return out;
  }

  @Test
  void theOrderOfTheNodesDoesNotMatter() {
    qt().forAll(strings().allPossible().ofLengthBetween(0, 40), integers().between(1, 8)).checkAssert((key, n) -> {
      List<Rendezvous.Node> forward = nodes(n);
      List<Rendezvous.Node> backward = new ArrayList<>(forward);
      java.util.Collections.reverse(backward);
      assertThat(Rendezvous.pick(key, backward)).isEqualTo(Rendezvous.pick(key, forward));
    });
  }

  @Test
  void whenANodeGoesOnlyItsKeysMove() {
    qt().forAll(integers().between(2, 8), integers().between(0, 7)).checkAssert((n, gone) -> {
      List<Rendezvous.Node> all = nodes(n);
      List<Rendezvous.Node> left = new ArrayList<>(all);
      Rendezvous.Node removed = left.remove(gone % n);
      for (int k = 0; k < 500; k++) {
        String key = "web\nhttps://a.test\n/item/" + k;
        String before = Rendezvous.pick(key, all);
        String after = Rendezvous.pick(key, left);
        if (!before.equals(removed.name())) {
          assertThat(after).as(key).isEqualTo(before);
        }
      }
    });
  }

  @Test
  void keysSpreadByWeight() {
    List<Rendezvous.Node> nodes = List.of(new Rendezvous.Node("a", 1), new Rendezvous.Node("b", 1), new Rendezvous.Node("c", 2));
    Map<String, Integer> counts = new HashMap<>();
    int total = 40_000;
    for (int k = 0; k < total; k++) {
      counts.merge(Rendezvous.pick("key-" + k, nodes), 1, Integer::sum);
    }
    assertThat(counts.get("a") / (double) total).isBetween(0.23, 0.27);
    assertThat(counts.get("b") / (double) total).isBetween(0.23, 0.27);
    assertThat(counts.get("c") / (double) total).isBetween(0.48, 0.52);
    assertThat(Rendezvous.pick("x", List.of())).isNull();
  }
}
