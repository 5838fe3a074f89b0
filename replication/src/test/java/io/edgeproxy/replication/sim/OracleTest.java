package io.edgeproxy.replication.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.change.Cell;
import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.change.Version;
import io.edgeproxy.sql.RowKey;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The oracle's own rules, on histories written by hand (the simulator's runs only ever meet some). */
class OracleTest {
  private static final long FORGET_AFTER = 10_000;

  private static Version at(long millis, String node) {
    return new Version(HybridClock.fromMillis(millis), node);
  }

  private static RowChange lease(long cl, Version life, long expiresMs, Version written) {
    return new RowChange("registrations", "k4", cl, life, Map.of("expires_ms", new Cell(expiresMs, written)));
  }

  private static RowChange backend(long cl, Version life) {
    return new RowChange("backends", "k4", cl, life, Map.of("weight", new Cell(1, life)));
  }

  /**
   * Seed 629: pop-8 and pop-1 start the same registration life (equal cl) 2 s apart; the merge
   * keeps pop-1's newer start. An operator's backend row created between the two starts began no
   * later than the life every POP holds, so it is the registration's and is forgotten with it.
   * The oracle took whichever start it observed last (pop-8's, through a later heartbeat of
   * pop-8's), and called the forgotten backend row a lost write.
   */
  @Test
  void aBackendRowIsOwnedByTheLifeTheMergeKeptWhenTwoPopsStartItAtOnce() {
    Oracle oracle = new Oracle(FORGET_AFTER);
    Version pop8Start = at(38_958, "pop-8");
    Version pop1Start = at(41_098, "pop-1");
    oracle.observe(lease(115, pop8Start, 40_028, pop8Start));
    oracle.observe(backend(80_331, at(40_152, "pop-0")));
    oracle.observe(lease(115, pop1Start, 45_387, pop1Start));
    oracle.observe(lease(115, pop8Start, 44_065, at(42_065, "pop-8"))); // pop-8 heartbeats before it hears of pop-1's start

    long now = 45_387 + FORGET_AFTER + 1;
    assertThat(oracle.check(Map.of(), Map.of(), now)).isEmpty();
    // Before the lease's forget time, the same end is a lost backend row (and a lost registration).
    assertThat(oracle.check(Map.of(), Map.of(), now - 2)).anyMatch(p -> p.startsWith(new RowKey("backends", "k4") + ": gone"));
  }

  @Test
  void aBackendRowCreatedAfterTheLifeEveryPopHoldsIsNotTheRegistrations() {
    Oracle oracle = new Oracle(FORGET_AFTER);
    Version start = at(38_958, "pop-8");
    oracle.observe(lease(115, start, 40_028, start));
    oracle.observe(backend(80_331, at(40_152, "pop-0")));

    assertThat(oracle.check(Map.of(), Map.of(), 60_000)).containsExactly(
        new RowKey("backends", "k4") + ": gone everywhere, but " + at(40_152, "pop-0") + " made it exist (cl 80331)");
  }
}
