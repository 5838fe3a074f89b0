package io.edgeproxy.tools.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A POP whose disk fills up (its routing.db on a small tmpfs, then a file takes the rest): it
 * keeps serving its last good state, says what is wrong (status, metrics, log), and catches up by
 * itself once space returns.
 */
@Timeout(240)
class FullDiskIT {
  @TempDir Path dir;

  @Test
  void aPopWithAFullDiskKeepsServingReportsItAndCatchesUpWhenSpaceReturns() throws Exception {
    try (FaultPops pops = new FaultPops(dir, "pop-a", "pop-b")) {
      FaultPops.Pop a = pops.pop("pop-a");
      FaultPops.Pop b = pops.pop("pop-b");
      Path disk = pops.smallDisk(b, 16);
      pops.startAll();
      int port = pops.backend("steady");
      a.sql("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('steady', 'web', 'sa', '"
          + pops.lab.gateway().getHostAddress() + "', " + port + ");");
      await().atMost(Duration.ofSeconds(15)).until(() -> FaultPops.ask(b.proxy()).equals("steady"));

      Path filler = disk.resolve("filler");
      fill(filler);
      String padding = "x".repeat(2_000);
      for (int i = 0; i < 400; i++) { // far more than the WAL holds: b must grow its files to take them
        a.sql("INSERT INTO backends (id, app, region, country, wg_ip, port) VALUES ('f" + i + "', 'other', 'sa', '"
            + padding + "', '10.0.0.1', " + (4000 + i) + ");");
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> !b.replication().path("storageError").isNull());
      System.out.println("pop-b says: " + b.replication().path("storageError").asText());
      assertThat(b.replication().path("storageError").asText()).containsIgnoringCase("full");
      assertThat(b.metrics()).containsPattern("edge_replication_storage_failures_total(\\{[^}]*\\})? [1-9]");
      assertThat(FaultPops.ask(b.proxy())).as("still serving its last good state").isEqualTo("steady");
      assertThat(b.log()).contains("cannot apply");

      Files.delete(filler);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> FaultPops.backends(b).equals(FaultPops.backends(a)));
      await().atMost(Duration.ofSeconds(10)).until(() -> b.replication().path("storageError").isNull());
      assertThat(b.sql("SELECT count(*) FROM backends WHERE app = 'other';").strip()).isEqualTo("400");
      assertThat(FaultPops.ask(b.proxy())).isEqualTo("steady");
    }
  }

  /** Writes zeros into {@code file} until the disk is full. */
  private static void fill(Path file) throws IOException {
    byte[] block = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException e) {
      if (!String.valueOf(e.getMessage()).contains("No space left")) {
        throw e;
      }
    }
  }
}
