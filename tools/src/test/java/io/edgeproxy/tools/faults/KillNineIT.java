package io.edgeproxy.tools.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three POPs in their own namespaces; two take writes while the third is killed with SIGKILL,
 * stays down a while, and comes back on the same routing.db: every POP ends with the same rows,
 * none lost, and the restarted one catches up by anti-entropy (it was not cut off long enough to
 * have to rejoin from a copy).
 */
@Timeout(240)
class KillNineIT {
  @TempDir Path dir;

  @Test
  void aPopKilledUnderWriteLoadCatchesUpWithEveryRowAfterRestart() throws Exception {
    try (FaultPops pops = new FaultPops(dir, "pop-a", "pop-b", "pop-c")) {
      FaultPops.Pop a = pops.pop("pop-a");
      FaultPops.Pop b = pops.pop("pop-b");
      FaultPops.Pop c = pops.pop("pop-c");
      pops.startAll();
      AtomicBoolean writing = new AtomicBoolean(true);
      AtomicInteger written = new AtomicInteger();
      AtomicInteger deleted = new AtomicInteger();
      Thread writer = Thread.ofVirtual().start(() -> {
        for (int i = 0; writing.get(); i++) {
          FaultPops.Pop at = i % 2 == 0 ? a : b;
          boolean delete = i % 7 == 6; // a row this same POP wrote two writes ago
          at.sql("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('w" + i + "', 'web', 'sa', '10.0.0.1', "
              + (2000 + i) + "); UPDATE backends SET weight = " + (i % 5) + " WHERE id = 'w0';"
              + (delete ? " DELETE FROM backends WHERE id = 'w" + (i - 2) + "';" : ""));
          written.incrementAndGet();
          deleted.addAndGet(delete ? 1 : 0);
        }
      });
      await().atMost(Duration.ofSeconds(30)).until(() -> written.get() >= 40);
      c.kill(); // SIGKILL, mid-writes: whatever it had not committed is gone
      await().atMost(Duration.ofSeconds(60)).until(() -> written.get() >= 120);
      c.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> written.get() >= 200);
      writing.set(false);
      writer.join();

      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
        String expected = FaultPops.backends(a);
        assertThat(FaultPops.backends(b)).isEqualTo(expected);
        assertThat(FaultPops.backends(c)).isEqualTo(expected);
      });
      assertThat(a.sql("SELECT count(*) FROM backends;").strip()).isEqualTo(String.valueOf(written.get() - deleted.get()));
      assertThat(c.replication().path("lastRejoin").isNull()).as("caught up by anti-entropy, not a copy").isTrue();
    }
  }
}
