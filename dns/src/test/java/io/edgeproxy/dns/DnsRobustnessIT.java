package io.edgeproxy.dns;

import static io.edgeproxy.dns.WirePackets.concat;
import static io.edgeproxy.dns.WirePackets.question;
import static io.edgeproxy.dns.WirePackets.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.config.DnsConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Malformed packets, hostile TCP clients and floods: answered correctly or shed, never a crash or a stall. */
@Timeout(90)
class DnsRobustnessIT {
  private static final DnsServer.Limits SHORT = new DnsServer.Limits(Duration.ofMillis(700), 4, 0, Duration.ZERO, 1024, 0);
  @TempDir Path dir;

  private DnsHarness start(DnsConfig config) {
    return DnsHarness.start(dir, Fixture.backends(), Map.of(), config, SHORT);
  }

  @Test
  void malformedQueriesGetFormerrAndOtherOpcodesNotimp() throws Exception {
    try (DnsHarness dns = start(DnsConfig.forTest()); DatagramSocket s = new DatagramSocket()) {
      byte[] q = question("web.internal", 1);
      assertThat(WirePackets.rcode(WirePackets.udp(s, dns.address, query(1, 0, 2, 0, 0, 0, concat(q, q)), 2000))).isEqualTo(1);
      byte[] pointerName = {(byte) 0xC0, 12, 0, 1, 0, 1};
      assertThat(WirePackets.rcode(WirePackets.udp(s, dns.address, query(2, 0, 1, 0, 0, 0, pointerName), 2000))).isEqualTo(1);
      byte[] cut = java.util.Arrays.copyOf(q, 7);
      assertThat(WirePackets.rcode(WirePackets.udp(s, dns.address, query(3, 0, 1, 0, 0, 0, cut), 2000))).isEqualTo(1);
      // an additional record whose name points at itself: a compression loop
      byte[] loop = {(byte) 0xC0, 30, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0};
      assertThat(WirePackets.rcode(WirePackets.udp(s, dns.address, query(4, 0, 1, 0, 0, 1, concat(q, loop)), 2000))).isEqualTo(1);
      byte[] status = query(5, 2 << 11, 1, 0, 0, 0, q);
      assertThat(WirePackets.rcode(WirePackets.udp(s, dns.address, status, 2000))).isEqualTo(4);
      assertThat(WirePackets.udp(s, dns.address, query(6, 0x8000, 1, 0, 0, 0, q), 300)).as("responses are never answered").isNull();
      assertThat(WirePackets.udp(s, dns.address, new byte[] {1, 2, 3}, 300)).as("shorter than a header").isNull();
      assertThat(dns.server.stats().responsesTotal(Answer.FORMERR)).isEqualTo(4);
    }
  }

  @Test
  void randomAndMutatedPacketsNeverStopTheServer() throws Exception {
    try (DnsHarness dns = start(DnsConfig.forTest()); DatagramSocket s = new DatagramSocket()) {
      Random random = new Random(42);
      byte[] valid = query(7, 0x0100, 1, 0, 0, 0, question("web.internal", 1));
      for (int i = 0; i < 3000; i++) {
        byte[] p = i % 2 == 0 ? new byte[random.nextInt(600)] : valid.clone();
        if (i % 2 == 0) {
          random.nextBytes(p);
        } else {
          for (int flips = 0; flips < 1 + random.nextInt(4); flips++) {
            p[random.nextInt(p.length)] = (byte) random.nextInt(256);
          }
        }
        s.send(new java.net.DatagramPacket(p, p.length, dns.address));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> dns.server.stats().queriesTotal() >= 3000);
      try (DatagramSocket fresh = new DatagramSocket()) { // replies to the garbage still queue on the first socket
        assertThat(WirePackets.answerCount(WirePackets.udp(fresh, dns.address, valid, 3000))).isEqualTo(4);
      }
      assertThat(dns.server.stats().responsesTotal(Answer.SERVFAIL)).as("no internal failure").isZero();
    }
  }

  @Test
  void tcpClientsThatStallOrTrickleAreClosedAndExtraConnectionsRefused() throws Exception {
    try (DnsHarness dns = start(DnsConfig.forTest())) {
      try (Socket oversized = new Socket(dns.address.getAddress(), dns.port());
          Socket trickle = new Socket(dns.address.getAddress(), dns.port())) {
        oversized.getOutputStream().write(new byte[] {(byte) 0xFF, (byte) 0xFF, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        OutputStream t = trickle.getOutputStream();
        t.write(new byte[] {0, 30});
        long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        boolean trickleClosed = false;
        while (System.nanoTime() < end && !trickleClosed) {
          try {
            t.write(0); // one byte every 100 ms: never a whole query
            Thread.sleep(100);
          } catch (SocketException e) {
            trickleClosed = true;
          }
        }
        assertThat(trickleClosed).as("a trickling client is closed by the idle timeout").isTrue();
        oversized.setSoTimeout(5000);
        assertThat(oversized.getInputStream().read()).as("a client announcing 65535 bytes and stalling is closed").isEqualTo(-1);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> dns.server.tcpConnections() == 0);
      List<Socket> sockets = new ArrayList<>();
      try {
        for (int i = 0; i < 6; i++) {
          sockets.add(new Socket(dns.address.getAddress(), dns.port()));
        }
        byte[] q = query(9, 0, 1, 0, 0, 0, question("web.internal", 1));
        int answered = 0;
        for (Socket s : sockets) {
          s.setSoTimeout(3000);
          try {
            s.getOutputStream().write(concat(new byte[] {0, (byte) q.length}, q));
            answered += WirePackets.readTcp(s.getInputStream()) != null ? 1 : 0;
          } catch (SocketException e) {
            // closed by the server: over the connection limit
          }
        }
        assertThat(answered).isEqualTo(4);
      } finally {
        for (Socket s : sockets) {
          s.close();
        }
      }
    }
  }

  @Test
  void aClientThatDoesNotReadItsAnswersDoesNotStallOthers() throws Exception {
    // Far more than every socket buffer on the way can hold (tens of MB of queries and answers),
    // so the writer can only finish if the server reads and answers without bound.
    int queries = 1_000_000;
    try (DnsHarness dns = start(DnsConfig.forTest()); Socket slow = new Socket(); DatagramSocket udp = new DatagramSocket()) {
      slow.setReceiveBufferSize(4096); // before connecting, so the advertised window is small too
      slow.connect(dns.address);
      byte[] q = query(10, 0, 1, 0, 0, 0, question("_instances.internal", 16));
      byte[] framed = concat(new byte[] {0, (byte) q.length}, q);
      OutputStream out = slow.getOutputStream();
      AtomicInteger written = new AtomicInteger();
      Thread writer = new Thread(() -> {
        try {
          for (int i = 0; i < queries; i++) {
            out.write(framed); // blocks once the server stops reading: it must, or it would buffer without bound
            written.incrementAndGet();
          }
        } catch (Exception e) {
          // closed at the end of the test
        }
      });
      writer.setDaemon(true);
      writer.start();
      int[] last = {-1};
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
        int now = written.get();
        boolean stalled = now == last[0];
        last[0] = now;
        return stalled || now == queries;
      });
      assertThat(written.get()).as("the server stopped reading the slow client").isLessThan(queries);
      assertThat(dns.server.stats().tcpQueriesTotal()).isLessThan(queries);
      byte[] reply = null; // a UDP client asks again after a timeout; on a loaded machine one answer can take longer
      for (int attempt = 0; attempt < 3 && reply == null; attempt++) {
        reply = WirePackets.udp(udp, dns.address, query(11, 0, 1, 0, 0, 0, question("web.internal", 1)), 3000);
      }
      assertThat(WirePackets.answerCount(reply)).as("other clients are answered meanwhile").isEqualTo(4);
      InputStream in = slow.getInputStream();
      assertThat(WirePackets.readTcp(in)).as("its answers are still there, in order").isNotNull();
    }
  }

  @Test
  void theRateLimitDropsOrSlipsUdpButNeverTcp() throws Exception {
    try (DnsHarness dns = start(DnsConfig.forTest().withRateLimit(20)); DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(1000);
      int full = 0;
      int slipped = 0;
      byte[] q = query(12, 0, 1, 0, 0, 0, question("web.internal", 1));
      for (int i = 0; i < 200; i++) {
        s.send(new java.net.DatagramPacket(q, q.length, dns.address));
      }
      byte[] buf = new byte[2048];
      try {
        while (true) {
          java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
          s.receive(p);
          if (WirePackets.truncated(buf)) {
            slipped++;
          } else {
            full++;
          }
        }
      } catch (java.net.SocketTimeoutException e) {
        // all in
      }
      assertThat(full).as("about one second's burst").isBetween(20, 30);
      assertThat(slipped).as("every second limited response is an empty TC").isBetween(80, 95);
      assertThat(dns.server.stats().rateLimitedTotal()).isEqualTo(200 - full);
      assertThat(dns.dig("+tcp", "+short", "web.internal")).as("TCP is never limited").contains("10.50.1.1");
    }
  }
}
