package io.edgeproxy.tools.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition during which both sides take thousands of writes: after the heal, anti-entropy
 * moves far more than QUIC sends at once on a fresh connection (slow start). The rows a responder
 * sends just before it ends its stream must arrive: closing a QUIC stream at once dropped what
 * QUIC had not taken yet, and each session then hung until its 30 s watchdog.
 */
@Timeout(240)
class PartitionBacklogIT {
  private static final int ROWS_PER_SIDE = 3_000;

  @TempDir Path dir;

  @Test
  void thousandsOfRowsWrittenOnBothSidesOfAPartitionAreEverywhereSoonAfterTheHeal() throws Exception {
    try (FaultPops pops = new FaultPops(dir, "pop-a", "pop-b", "pop-c")) {
      FaultPops.Pop a = pops.pop("pop-a");
      FaultPops.Pop b = pops.pop("pop-b");
      FaultPops.Pop c = pops.pop("pop-c");
      pops.startAll();
      a.sql(insert("shared", 0, 1_000));
      await().atMost(Duration.ofSeconds(30)).until(() -> count(b).equals("1000") && count(c).equals("1000"));

      pops.lab.isolate(a.host); // A on one side, B and C on the other
      Thread.sleep(2_000); // the connections are cut off mid-flight, as a real partition finds them
      a.sql(insert("a", 0, ROWS_PER_SIDE));
      b.sql(insert("b", 0, ROWS_PER_SIDE));
      a.sql("UPDATE backends SET port = port + 1 WHERE id LIKE 'shared-%' AND CAST(substr(id, 8) AS INTEGER) % 2 = 0;");
      b.sql("UPDATE backends SET weight = 7 WHERE id LIKE 'shared-%';");
      Thread.sleep(8_000);
      pops.lab.rejoin(a.host);
      long healed = System.nanoTime();

      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
          .until(() -> FaultPops.backends(a).equals(FaultPops.backends(b)) && FaultPops.backends(b).equals(FaultPops.backends(c)));
      System.out.println("identical " + (System.nanoTime() - healed) / 1_000_000 + " ms after the heal");
      assertThat(count(a)).isEqualTo(String.valueOf(1_000 + 2 * ROWS_PER_SIDE));
      // Both edits of the shared rows survive: different columns of the same rows.
      assertThat(a.sql("SELECT count(*) FROM backends WHERE id LIKE 'shared-%' AND weight = 7;").strip()).isEqualTo("1000");
      assertThat(a.sql("SELECT count(*) FROM backends WHERE id LIKE 'shared-%' AND port = 1001;").strip()).isEqualTo("500");
    }
  }

  private static String insert(String prefix, int from, int rows) {
    return "WITH RECURSIVE n(i) AS (SELECT " + from + " UNION ALL SELECT i + 1 FROM n WHERE i < " + (from + rows - 1) + ")"
        + " INSERT INTO backends (id, app, region, wg_ip, port) SELECT '" + prefix + "-' || i, 'bulk', 'sa', '10.2.0.1', 1000 FROM n;";
  }

  private static String count(FaultPops.Pop pop) {
    return pop.sql("SELECT count(*) FROM backends;").strip();
  }
}
