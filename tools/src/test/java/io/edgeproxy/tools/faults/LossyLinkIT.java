package io.edgeproxy.tools.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.testing.net.DelayRelay;
import io.edgeproxy.core.testing.net.Protocol;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One link that drops 20 % of its packets and delays each direction by 200 ms (a relay in the
 * middle, put there by NAT: the POPs still address each other): replication over it keeps up with
 * a steady stream of writes and converges once they stop.
 */
@Timeout(240)
class LossyLinkIT {
  @TempDir Path dir;

  @Test
  void writesOverALinkWithTwentyPercentLossAndTwoHundredMsDelayAllArrive() throws Exception {
    try (FaultPops pops = new FaultPops(dir, "pop-a", "pop-b")) {
      FaultPops.Pop a = pops.pop("pop-a");
      FaultPops.Pop b = pops.pop("pop-b");
      pops.startAll();
      Duration delay = Duration.ofMillis(200);
      for (FaultPops.Pop[] link : new FaultPops.Pop[][] {{a, b}, {b, a}}) {
        // Everything link[0] sends to link[1]'s gossip (TCP) and change-stream (UDP) ports goes through a relay.
        InetSocketAddress stream = new InetSocketAddress(link[1].host.address(), FaultPops.STREAM_PORT);
        InetSocketAddress gossip = new InetSocketAddress(link[1].host.address(), FaultPops.GOSSIP_PORT);
        DelayRelay udp = DelayRelay.udp(new InetSocketAddress(pops.lab.gateway(), 0), stream, delay);
        DelayRelay tcp = DelayRelay.tcp(new InetSocketAddress(pops.lab.gateway(), 0), gossip, delay);
        pops.lab.redirect(link[0].host, Protocol.UDP, stream, udp.address());
        pops.lab.redirect(link[0].host, Protocol.TCP, gossip, tcp.address());
        pops.closeLater(udp);
        pops.closeLater(tcp);
      }
      pops.lab.loss(a.host, b.host, 0.2);

      int rows = 300;
      long started = System.nanoTime();
      for (int i = 0; i < rows; i++) {
        a.sql("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('l" + i + "', 'web', 'sa', '10.0.0.1', " + (3000 + i)
            + ");" + (i % 10 == 9 ? " UPDATE backends SET weight = " + i + " WHERE id = 'l0';" : ""));
      }
      long wroteMillis = (System.nanoTime() - started) / 1_000_000;
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
          .until(() -> FaultPops.backends(b).equals(FaultPops.backends(a)));
      long convergedMillis = (System.nanoTime() - started) / 1_000_000;
      System.out.printf("lossy link: %d writes in %d ms, all on pop-b after %d ms (%.0f changes/s)%n", rows, wroteMillis,
          convergedMillis, rows * 1000.0 / convergedMillis);
      assertThat(b.sql("SELECT count(*) FROM backends WHERE id LIKE 'l%';").strip()).isEqualTo(String.valueOf(rows));
      assertThat(b.sql("SELECT weight FROM backends WHERE id = 'l0';").strip()).isEqualTo("299");
      assertThat(b.replication().path("storageError").isNull()).isTrue();
    }
  }
}
