package io.edgeproxy.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.edgeproxy.core.routing.LimitShares.Report;
import io.edgeproxy.core.routing.LimitShares.Silent;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LimitSharesTest {
  @Test
  void idlePopsSplitTheLimitEvenlyAndTheRemainderGoesByNodeId() {
    LimitShares.Table table = LimitShares.allot(14, heard("b", 0, 0, "a", 0, 0, "c", 0, 0), Map.of());
    assertThat(table.allotted()).containsExactly(Map.entry("a", 5), Map.entry("b", 5), Map.entry("c", 4));
    assertThat(table.shareOf("c", heard("b", 0, 0, "a", 0, 0, "c", 0, 0))).isEqualTo(4);
  }

  @Test
  void demandIsMetBelowTheFairLevelAndTheRestIsSharedEvenly() {
    // 30 slots; b wants 2, a and c want more than their fair share.
    LimitShares.Table table = LimitShares.allot(30, heard("a", 25, 0, "b", 2, 0, "c", 40, 0), Map.of());
    assertThat(table.allotted()).containsExactly(Map.entry("a", 14), Map.entry("b", 2), Map.entry("c", 14));
    // Odd slots go to the largest demands first.
    assertThat(LimitShares.allot(31, heard("a", 25, 0, "b", 2, 0, "c", 40, 0), Map.of()).allotted().get("c")).isEqualTo(15);
  }

  @Test
  void onePopWithAllTheDemandGetsAllOfItAndTheOthersWhatItLeaves() {
    Map<String, Report> heard = heard("a", 12, 0, "b", 0, 0, "c", 0, 0);
    LimitShares.Table table = LimitShares.allot(12, heard, Map.of());
    assertThat(table.allotted()).containsExactly(Map.entry("a", 12), Map.entry("b", 0), Map.entry("c", 0));
    assertThat(table.shareOf("a", heard)).isEqualTo(12);
    assertThat(LimitShares.allot(12, heard("a", 8, 0, "b", 0, 0, "c", 0, 0), Map.of()).allotted())
        .containsExactly(Map.entry("a", 10), Map.entry("b", 1), Map.entry("c", 1));
  }

  @Test
  void aLimitBelowThePopCountGoesToTheDemandNotByNodeId() {
    assertThat(LimitShares.allot(2, heard("a", 0, 0, "b", 0, 0, "c", 5, 0), Map.of()).allotted().get("c")).isEqualTo(2);
    assertThat(LimitShares.allot(1, heard("a", 0, 0, "b", 3, 0), Map.of()).allotted().get("b")).isEqualTo(1);
  }

  @Test
  void slotsAnotherPopHoldsAboveItsAllotmentAreLeftToIt() {
    // Demand moved from a to b, but a still holds 10 connections: b may take only what a does not hold.
    Map<String, Report> heard = heard("a", 0, 10, "b", 12, 0);
    LimitShares.Table table = LimitShares.allot(12, heard, Map.of());
    assertThat(table.allotted().get("b")).isEqualTo(12);
    assertThat(table.shareOf("b", heard)).isEqualTo(2);
  }

  @Test
  void aShareAnotherPopComputedLargerCountsUntilItSaysOtherwise() {
    Map<String, Report> heard = new LinkedHashMap<>();
    heard.put("a", new Report(12, 4, 10)); // a's own view gave it 10
    heard.put("b", new Report(12, 0, 0));
    assertThat(LimitShares.allot(12, heard, Map.of()).shareOf("b", heard)).isEqualTo(2);
  }

  @Test
  void aPopNotHeardFromKeepsTheMostOfAnEvenSplitWhatItHadAndWhatItHeld() {
    Map<String, Report> heard = heard("a", 12, 0, "b", 0, 0);
    assertThat(LimitShares.allot(12, heard, Map.of("c", new Silent(1, Report.NONE))).capacity()).isEqualTo(8);
    assertThat(LimitShares.allot(12, heard, Map.of("c", new Silent(6, Report.NONE))).capacity()).isEqualTo(6);
    assertThat(LimitShares.allot(12, heard, Map.of("c", new Silent(1, new Report(3, 9, 5))))).extracting(LimitShares.Table::capacity)
        .isEqualTo(3);
  }

  @Test
  void anIsolatedPopGivesItselfNoMoreThanAnEvenSplit() {
    Map<String, Report> alone = heard("c", 40, 0);
    LimitShares.Table table = LimitShares.allot(12, alone, Map.of("a", new Silent(0, Report.NONE), "b", new Silent(0, Report.NONE)));
    assertThat(table.shareOf("c", alone)).isEqualTo(4);
    LimitShares.Table after = LimitShares.allot(12, alone, Map.of("a", new Silent(10, new Report(12, 10, 10)),
        "b", new Silent(1, Report.NONE)));
    assertThat(after.shareOf("c", alone)).isZero();
  }

  @Test
  void theSharesAndWhatIsHeldFitTheCapacityWhateverTheReportsAndReserves() {
    qt().withExamples(3_000).forAll(integers().between(1, 500), lists().of(integers().between(0, 600)).ofSizeBetween(1, 6),
        lists().of(integers().between(0, 600)).ofSizeBetween(9, 9)).checkAssert((limit, demands, numbers) -> {
          Map<String, Report> heard = new LinkedHashMap<>();
          for (int i = 0; i < demands.size(); i++) {
            // What a POP holds is within what it may hold; the share another POP computed, anything.
            heard.put("pop-" + i, new Report(demands.get(i), Math.min(numbers.get(i), limit / 6), numbers.get(i + 3) % (limit + 1)));
          }
          Map<String, Silent> silent = new LinkedHashMap<>();
          for (int i = 0; i < numbers.get(8) % 3; i++) {
            silent.put("gone-" + i, new Silent(numbers.get(6) % (limit + 1), new Report(0, numbers.get(7) % (limit + 1), 0)));
          }
          LimitShares.Table table = LimitShares.allot(limit, heard, silent);
          assertThat(table.capacity()).isBetween(0, limit);
          assertThat(table.allotted().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(table.capacity());
          int held = 0;
          for (String pop : heard.keySet()) {
            int share = table.shareOf(pop, heard);
            assertThat(share).isBetween(0, limit);
            held += Math.max(share, heard.get(pop).active());
          }
          int fixed = 0;
          for (Report r : heard.values()) {
            fixed += r.active();
          }
          assertThat(held).as("slots the POPs heard from may hold together").isLessThanOrEqualTo(Math.max(table.capacity(), fixed));
        });
  }

  /** node, demand, active, ... */
  private static Map<String, Report> heard(Object... triples) {
    Map<String, Report> out = new LinkedHashMap<>();
    for (int i = 0; i < triples.length; i += 3) {
      out.put((String) triples[i], new Report((Integer) triples[i + 1], (Integer) triples[i + 2], 0));
    }
    return out;
  }
}
