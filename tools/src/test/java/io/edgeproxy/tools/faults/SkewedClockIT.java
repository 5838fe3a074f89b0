package io.edgeproxy.tools.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A POP whose clock runs 3 s ahead (libfaketime), against a bound of 500 ms: the others measure
 * its offset and flag it, hold what it writes until their own clocks get there, and do not let it
 * pull their clocks forward.
 */
@Timeout(240)
class SkewedClockIT {
  @TempDir Path dir;

  @Test
  void aPopWhoseClockRunsAheadIsFlaggedAndItsChangesAreHeldNotObserved() throws Exception {
    try (FaultPops pops = new FaultPops(dir, "pop-a", "pop-c")) {
      FaultPops.Pop a = pops.pop("pop-a");
      FaultPops.Pop c = pops.pop("pop-c");
      c.wrap = argv -> {
        List<String> wrapped = new ArrayList<>(List.of("env", "FAKETIME_DONT_FAKE_MONOTONIC=1", "faketime", "-f", "+3s"));
        wrapped.addAll(argv);
        return wrapped;
      };
      pops.startAll();
      await().atMost(Duration.ofSeconds(20)).until(() -> peer(a, "pop-c").path("skewed").asBoolean());
      long offset = peer(a, "pop-c").path("clockOffsetMs").asLong();
      System.out.println("pop-a measures pop-c's clock " + offset + " ms ahead");
      assertThat(offset).isBetween(2_500L, 3_500L);
      assertThat(a.metrics()).containsPattern("edge_replication_peer_clock_skewed\\{[^}]*peer=\"pop-c\"[^}]*\\} 1");
      assertThat(a.log()).contains("pop-c's clock is");

      c.sql("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('from-c', 'web', 'sa', '10.0.0.3', 80);");
      long written = System.nanoTime();
      await().atMost(Duration.ofSeconds(5)).until(() -> a.replication().path("heldChanges").asLong() > 0);
      assertThat(a.sql("SELECT count(*) FROM backends WHERE id = 'from-c';").strip()).isEqualTo("0");
      a.sql("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('from-a', 'web', 'sa', '10.0.0.4', 80);");
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
          .until(() -> a.sql("SELECT count(*) FROM backends WHERE id = 'from-c';").strip().equals("1"));
      long heldMillis = (System.nanoTime() - written) / 1_000_000;
      System.out.println("pop-c's row was held on pop-a for " + heldMillis + " ms");
      assertThat(heldMillis).isGreaterThan(2_000);
      // pop-a versioned its own row while pop-c's was held: with its own clock, not pulled 3 s ahead.
      long fromA = Long.parseLong(a.sql("SELECT hlc FROM __edge_rows WHERE pk = 'from-a';").strip());
      long fromC = Long.parseLong(a.sql("SELECT hlc FROM __edge_rows WHERE pk = 'from-c';").strip());
      assertThat(fromA).isLessThan(fromC);
      await().atMost(Duration.ofSeconds(15)).until(() -> FaultPops.backends(a).equals(FaultPops.backends(c)));
    }
  }

  private static JsonNode peer(FaultPops.Pop pop, String name) {
    for (JsonNode p : pop.replication().path("peers")) {
      if (p.path("nodeId").asText().equals(name)) {
        return p;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }
}
