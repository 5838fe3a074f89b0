package io.edgeproxy.replication.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.sql.RowKey;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session longer than the anti-entropy give-up time (30 s) completes as long as its peer keeps
 * answering: here an empty POP's bootstrap copy over a link with a 24 s round trip, which takes
 * four crossings (about 48 s), standing for a large routing.db over a slow link. Until
 * 2026-12-07 the 30 s counted from the session's start: such a copy was given up and begun again
 * for ever, and the POP never joined.
 */
class SlowCopyTest {
  @Test
  void aCopyLongerThanTheGiveUpTimeCompletesWhileThePeerKeepsAnswering(@TempDir Path dir) {
    Simulation.Options options = new Simulation.Options(2, 0, 0, false, 60_000, 0, 500, 0, 120_000);
    try (Simulation sim = new Simulation(7, options, dir)) {
      sim.network().setLatency("pop-0", "pop-1", 12_000);
      SimPop source = sim.pop("pop-0");
      sim.start(source);
      source.db().write("INSERT INTO apps (name, protocol) VALUES ('slow', 'tcp')");
      source.node().localCommit();
      sim.time().runUntil(Simulation.START + 1_000);

      SimPop empty = sim.pop("pop-1");
      sim.start(empty);
      sim.time().runUntil(Simulation.START + 40_000);
      assertThat(empty.store().rows(List.of(new RowKey("apps", "slow")))).as("not before four crossings").isEmpty();
      sim.time().runUntil(Simulation.START + 120_000);
      assertThat(empty.store().rows(List.of(new RowKey("apps", "slow")))).singleElement().satisfies(row ->
          assertThat(((RowChange) row).exists()).isTrue());
      assertThat(empty.rejoins).as("joined by the copy").hasSize(1);
    }
  }
}
