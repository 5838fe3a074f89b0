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
 * The partition that used to take a live backend out of service for good: two POPs in their own
 * network namespaces; backend hb-1 registers through POP A's API and heartbeats through A every
 * 0.7 s (TTL 3 s) while both POPs take writes; the link is cut for 12 s, then restored.
 */
@Timeout(240)
class PartitionHealIT {
  @TempDir Path dir;

  @Test
  void aBackendThatKeptHeartbeatingIsRoutableOnBothPopsWithinFiveSecondsOfTheHeal() throws Exception {
    try (FaultPops pops = new FaultPops(dir, "pop-a", "pop-b")) {
      FaultPops.Pop a = pops.pop("pop-a");
      FaultPops.Pop b = pops.pop("pop-b");
      pops.startAll();
      int port = pops.backend("hb-1");
      String body = "{\"id\":\"hb-1\",\"app\":\"web\",\"region\":\"sa\",\"ip\":\"" + pops.lab.gateway().getHostAddress()
          + "\",\"port\":" + port + "}";
      assertThat(a.api("POST", "/api/v1/register", body).statusCode()).isEqualTo(201);
      AtomicBoolean beating = new AtomicBoolean(true);
      AtomicInteger failedBeats = new AtomicInteger();
      Thread heartbeats = Thread.ofVirtual().start(() -> {
        while (beating.get()) {
          if (a.api("POST", "/api/v1/heartbeat/hb-1", null).statusCode() != 200) {
            failedBeats.incrementAndGet();
          }
          sleep(700);
        }
      });
      AtomicBoolean writing = new AtomicBoolean(true);
      Thread writes = Thread.ofVirtual().start(() -> {
        for (int i = 0; writing.get(); i++) {
          FaultPops.Pop at = i % 2 == 0 ? a : b; // writes on both sides, through the partition
          at.sql("INSERT OR REPLACE INTO backends (id, app, region, wg_ip, port) VALUES ('w-" + at.name + "-" + (i % 20)
              + "', 'other', 'sa', '10.1.0.1', " + (1000 + i) + ");");
          sleep(150);
        }
      });
      await().atMost(Duration.ofSeconds(15)).until(() -> FaultPops.ask(b.proxy()).equals("hb-1"));
      assertThat(FaultPops.ask(a.proxy())).isEqualTo("hb-1");

      pops.lab.partition(a.host, b.host);
      // Cut off from the heartbeats, B takes hb-1 out once its lease ends (it cannot know better); A never does.
      await().atMost(Duration.ofSeconds(8)).until(() -> FaultPops.ask(b.proxy()).isEmpty());
      long partitionEnds = System.nanoTime() + Duration.ofSeconds(12).toNanos();
      while (System.nanoTime() < partitionEnds) {
        assertThat(FaultPops.ask(a.proxy())).as("A keeps routing hb-1 while it heartbeats").isEqualTo("hb-1");
        sleep(500);
      }
      pops.lab.heal(a.host, b.host);
      long healed = System.nanoTime();

      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
          .until(() -> FaultPops.ask(b.proxy()).equals("hb-1"));
      long routableAfterMillis = (System.nanoTime() - healed) / 1_000_000;
      System.out.println("hb-1 routable on pop-b " + routableAfterMillis + " ms after the heal");
      // ... and stays so on both (90 s in the report; 15 s here with a 3 s TTL is five TTLs).
      long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (System.nanoTime() < until) {
        assertThat(FaultPops.ask(a.proxy())).isEqualTo("hb-1");
        assertThat(FaultPops.ask(b.proxy())).isEqualTo("hb-1");
        sleep(500);
      }
      writing.set(false);
      writes.join();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
          .until(() -> FaultPops.backends(a).equals(FaultPops.backends(b)));
      assertThat(FaultPops.backends(a)).contains("w-pop-a-").contains("w-pop-b-").contains("hb-1");
      assertThat(a.sql("SELECT healthy FROM backends WHERE id = 'hb-1';").strip()).isEqualTo("1");
      assertThat(b.sql("SELECT healthy FROM backends WHERE id = 'hb-1';").strip()).isEqualTo("1");
      assertThat(failedBeats.get()).isZero();
      beating.set(false);
      heartbeats.join();
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
