package io.edgeproxy.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.config.DnsConfig;
import io.edgeproxy.core.geo.IpNetwork;
import io.edgeproxy.dns.TestUpstream.Behaviour;
import java.io.DataOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Forwarding of names outside the zone to upstream resolvers ({@link TestUpstream}, or bound UDP
 * sockets that never answer), through dig and raw sockets.
 */
@Timeout(60)
class DnsForwardingIT {
  private static final int RD = 0x0100;
  @TempDir Path dir;

  private DnsHarness start(DnsConfig config) {
    return DnsHarness.start(dir, Fixture.backends(), Map.of(), config, DnsServer.Limits.NO_WARM_UP);
  }

  private static DnsConfig forwardingTo(InetSocketAddress... upstreams) {
    return DnsConfig.forTest().withUpstreams(List.of(upstreams)).withUpstreamTimeout(Duration.ofMillis(400));
  }

  /** A bound UDP socket that never answers (and, having no TCP listener, refuses TCP connections). */
  private static DatagramSocket deadUpstream() throws Exception {
    return new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
  }

  private static InetSocketAddress at(DatagramSocket socket) {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  @Test
  void outsideNamesAreForwardedOverUdpAndOverTcp() {
    try (TestUpstream upstream = new TestUpstream(Behaviour.ANSWER); DnsHarness dns = start(forwardingTo(upstream.address))) {
      String udp = dns.dig("example.com", "A");
      assertThat(udp).contains("status: NOERROR").containsPattern("example\\.com\\.\\s+60\\s+IN\\s+A\\s+192\\.0\\.2\\.7");
      assertThat(dns.digShort("example.com", "A", "+tcp")).containsExactly(TestUpstream.ADDRESS);
      assertThat(upstream.seen()).extracting(TestUpstream.Seen::tcp).containsExactly(false, true);
      assertThat(dns.server.stats().forwardedTotal()).isEqualTo(2);
      assertThat(dns.server.stats().responsesTotal(Answer.NOERROR)).isEqualTo(2);
    }
  }

  @Test
  void theClientKeepsItsIdWhileTheUpstreamSeesAFreshOne() throws Exception {
    try (TestUpstream upstream = new TestUpstream(Behaviour.ANSWER); DnsHarness dns = start(forwardingTo(upstream.address));
        DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      int clientId = 0x1234;
      byte[] query = WirePackets.query(clientId, RD, 1, 0, 0, 0, WirePackets.question("example.com", 1));
      for (int i = 0; i < 4; i++) {
        byte[] reply = WirePackets.udp(client, dns.address, query, 3_000);
        assertThat(reply).isNotNull();
        assertThat(((reply[0] & 0xFF) << 8) | (reply[1] & 0xFF)).isEqualTo(clientId);
        assertThat(WirePackets.answerCount(reply)).isEqualTo(1);
      }
      List<Integer> upstreamIds = upstream.seen().stream().map(TestUpstream.Seen::id).toList();
      assertThat(upstreamIds).hasSize(4);
      assertThat(upstreamIds.stream().filter(id -> id == clientId).count()).as("random ids, not the client's").isLessThanOrEqualTo(1);
    }
  }

  @Test
  void recursionDesiredEdnsAndClientSubnetReachTheUpstreamAsSent() {
    try (TestUpstream upstream = new TestUpstream(Behaviour.ANSWER); DnsHarness dns = start(forwardingTo(upstream.address))) {
      assertThat(dns.digShort("example.com", "A", "+subnet=198.51.100.0/24")).containsExactly(TestUpstream.ADDRESS);
      assertThat(dns.digShort("Example.COM", "A", "+nord", "+noedns")).containsExactly(TestUpstream.ADDRESS);
      assertThat(upstream.seen()).containsExactly(
          new TestUpstream.Seen(false, upstream.seen().get(0).id(), true, true, "198.51.100.0/24", "example.com."),
          new TestUpstream.Seen(false, upstream.seen().get(1).id(), false, false, null, "Example.COM."));
    }
  }

  @ParameterizedTest
  @EnumSource(value = Behaviour.class, names = {"WRONG_ID_FIRST", "OTHER_SOURCE_FIRST", "OTHER_QUESTION_FIRST"})
  void aForgedReplyIsIgnoredAndTheRightOneRelayed(Behaviour forgery) {
    try (TestUpstream upstream = new TestUpstream(forgery); DnsHarness dns = start(forwardingTo(upstream.address))) {
      assertThat(dns.digShort("example.com", "A")).containsExactly(TestUpstream.ADDRESS);
      assertThat(dns.server.stats().upstreamIgnoredTotal()).isEqualTo(1);
      assertThat(dns.server.stats().upstreamTimeoutsTotal()).isZero();
    }
  }

  @Test
  void aDeadFirstUpstreamIsLeftAfterTheTimeoutForTheNext() throws Exception {
    try (DatagramSocket dead = deadUpstream(); TestUpstream upstream = new TestUpstream(Behaviour.ANSWER);
        DnsHarness dns = start(forwardingTo(at(dead), upstream.address))) {
      long start = System.nanoTime();
      assertThat(dns.digShort("example.com", "A")).containsExactly(TestUpstream.ADDRESS);
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(millis).as("one timeout of 400 ms, then the second upstream").isBetween(400L, 1_900L);
      assertThat(dns.server.stats().upstreamTimeoutsTotal()).isEqualTo(1);
      assertThat(dns.digShort("example.com", "A", "+tcp")).as("over TCP the dead one refuses at once")
          .containsExactly(TestUpstream.ADDRESS);
      assertThat(dns.server.stats().upstreamFailuresTotal()).isEqualTo(1);
    }
  }

  @Test
  void whenNoUpstreamAnswersTheClientGetsServfailWithItsQuestion() throws Exception {
    try (DatagramSocket dead1 = deadUpstream(); DatagramSocket dead2 = deadUpstream();
        DnsHarness dns = start(forwardingTo(at(dead1), at(dead2)))) {
      long start = System.nanoTime();
      String out = dns.dig("example.com", "A");
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(out).contains("status: SERVFAIL").contains("QUERY: 1, ANSWER: 0").containsPattern(";example\\.com\\.\\s+IN\\s+A")
          .contains("; EDNS: version: 0");
      assertThat(millis).as("two timeouts of 400 ms").isBetween(800L, 1_900L);
      assertThat(dns.server.stats().upstreamTimeoutsTotal()).isEqualTo(2);
      assertThat(dns.dig("+tcp", "example.com", "A")).contains("status: SERVFAIL").contains("QUERY: 1, ANSWER: 0");
      assertThat(dns.server.stats().upstreamFailuresTotal()).isEqualTo(2);
      assertThat(dns.server.stats().responsesTotal(Answer.SERVFAIL)).isEqualTo(2);
    }
  }

  @Test
  void anUpstreamThatRefusesIsLeftForTheNext() {
    try (TestUpstream refusing = new TestUpstream(Behaviour.REFUSE); TestUpstream upstream = new TestUpstream(Behaviour.ANSWER);
        DnsHarness dns = start(forwardingTo(refusing.address, upstream.address))) {
      assertThat(dns.digShort("example.com", "A")).containsExactly(TestUpstream.ADDRESS);
      assertThat(refusing.seen()).hasSize(1);
      assertThat(dns.server.stats().upstreamFailuresTotal()).isEqualTo(1);
    }
  }

  @Test
  void aTruncatedUdpReplyIsRelayedAndTheTcpRetryIsForwardedOverTcp() {
    try (TestUpstream upstream = new TestUpstream(Behaviour.TRUNCATE_UDP); DnsHarness dns = start(forwardingTo(upstream.address))) {
      assertThat(dns.dig("+ignore", "example.com", "A")).contains("flags: qr tc").contains("ANSWER: 0");
      String retried = dns.dig("example.com", "A");
      assertThat(retried).contains("Truncated, retrying in TCP mode").contains("ANSWER: 1").contains(TestUpstream.ADDRESS);
      assertThat(upstream.seen()).extracting(TestUpstream.Seen::tcp).containsExactly(false, false, true);
    }
  }

  @Test
  void aTcpClientThatHalfClosesStillGetsItsForwardedReply() throws Exception {
    try (TestUpstream upstream = new TestUpstream(Behaviour.ANSWER); DnsHarness dns = start(forwardingTo(upstream.address));
        Socket client = new Socket(dns.address.getAddress(), dns.port())) {
      byte[] query = WirePackets.query(0x4242, RD, 1, 0, 0, 0, WirePackets.question("example.com", 1));
      DataOutputStream out = new DataOutputStream(client.getOutputStream());
      out.writeShort(query.length);
      out.write(query);
      out.flush();
      client.shutdownOutput();
      client.setSoTimeout(3_000);
      byte[] reply = WirePackets.readTcp(client.getInputStream());
      assertThat(reply).isNotNull();
      assertThat(((reply[0] & 0xFF) << 8) | (reply[1] & 0xFF)).isEqualTo(0x4242);
      assertThat(WirePackets.answerCount(reply)).isEqualTo(1);
      assertThat(WirePackets.readTcp(client.getInputStream())).as("then the server closes").isNull();
    }
  }

  @Test
  void clientsOutsideTheAllowedNetworksAreRefused() {
    try (TestUpstream upstream = new TestUpstream(Behaviour.ANSWER);
        DnsHarness dns = start(forwardingTo(upstream.address).withForwardFrom(List.of(network("10.0.0.0/8"))))) {
      String out = dns.dig("example.com", "A");
      assertThat(out).contains("status: REFUSED").doesNotContain(TestUpstream.ADDRESS);
      assertThat(dns.dig("+tcp", "example.com", "A")).contains("status: REFUSED");
      assertThat(upstream.seen()).isEmpty();
      assertThat(dns.server.stats().forwardedTotal()).isZero();
    }
  }

  @Test
  void aRefusalIsNotCachedForTheNeighboursOfARefusedClient() {
    try (TestUpstream upstream = new TestUpstream(Behaviour.ANSWER);
        DnsHarness dns = start(forwardingTo(upstream.address).withForwardFrom(List.of(network("127.0.0.1/32"))))) {
      // +nocookie: the same query bytes each time, so a cached refusal would be found
      assertThat(dns.dig("-b", "127.0.0.2", "+nocookie", "example.com", "A")).contains("status: REFUSED");
      assertThat(dns.digShort("example.com", "A", "+nocookie")).as("127.0.0.1 is allowed, though in the same /24")
          .containsExactly(TestUpstream.ADDRESS);
      assertThat(dns.dig("-b", "127.0.0.2", "+nocookie", "example.com", "A")).contains("status: REFUSED");
      assertThat(upstream.seen()).hasSize(1);
    }
  }

  @Test
  void namesInsideTheZoneAreNeverForwarded() {
    try (TestUpstream upstream = new TestUpstream(Behaviour.ANSWER); DnsHarness dns = start(forwardingTo(upstream.address))) {
      assertThat(dns.dig("web.internal", "A")).contains("flags: qr aa").contains("status: NOERROR");
      assertThat(dns.dig("no-such-app.internal", "A")).contains("flags: qr aa").contains("status: NXDOMAIN");
      assertThat(dns.dig("+tcp", "api.internal", "A")).contains("10.51.1.1");
      assertThat(dns.dig("internal", "AXFR")).contains("Transfer failed");
      assertThat(upstream.seen()).isEmpty();
      assertThat(dns.server.stats().forwardedTotal()).isZero();
    }
  }

  @Test
  void forwardedRepliesAreRateLimitedAndNeverCached() throws Exception {
    try (TestUpstream upstream = new TestUpstream(Behaviour.ANSWER);
        DnsHarness dns = start(forwardingTo(upstream.address).withRateLimit(1));
        DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      byte[] query = WirePackets.query(7, RD, 1, 0, 0, 0, WirePackets.question("example.com", 1));
      assertThat(WirePackets.answerCount(WirePackets.udp(client, dns.address, query, 3_000))).isEqualTo(1);
      List<byte[]> limited = new ArrayList<>();
      limited.add(WirePackets.udp(client, dns.address, query, 500)); // dropped
      limited.add(WirePackets.udp(client, dns.address, query, 3_000)); // slipped: empty with TC
      assertThat(limited.get(0)).isNull();
      assertThat(limited.get(1)).isNotNull();
      assertThat(WirePackets.truncated(limited.get(1))).isTrue();
      assertThat(upstream.seen()).as("limited queries are not forwarded").hasSize(1);
      assertThat(dns.server.stats().rateLimitedTotal()).isEqualTo(2);
    }
    try (TestUpstream upstream = new TestUpstream(Behaviour.ANSWER); DnsHarness dns = start(forwardingTo(upstream.address))) {
      for (int i = 0; i < 3; i++) {
        assertThat(dns.digShort("example.com", "A", "+nocookie")).containsExactly(TestUpstream.ADDRESS);
      }
      assertThat(upstream.seen()).as("each query asks the upstream: nothing is cached").hasSize(3);
    }
  }

  @Test
  void beyondTheInFlightLimitQueriesGetServfailAtOnce() throws Exception {
    try (DatagramSocket dead = deadUpstream();
        DnsHarness dns = DnsHarness.start(dir, Fixture.backends(), Map.of(),
            forwardingTo(at(dead)).withUpstreamTimeout(Duration.ofMillis(2_000)), DnsServer.Limits.NO_WARM_UP.withMaxForwardsPerLoop(1));
        DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      // One more query than I/O threads, each allowing one in flight: at least one finds its loop full
      // (the kernel may spread one client's datagrams over the SO_REUSEPORT sockets).
      int loops = Runtime.getRuntime().availableProcessors();
      for (int id = 1; id <= loops + 1; id++) {
        byte[] query = WirePackets.query(id, RD, 1, 0, 0, 0, WirePackets.question("host" + id + ".example.com", 1));
        client.send(new DatagramPacket(query, query.length, dns.address));
      }
      client.setSoTimeout(1_500);
      DatagramPacket reply = new DatagramPacket(new byte[512], 512);
      client.receive(reply); // throws when nothing comes before the upstream timeout
      assertThat(WirePackets.rcode(reply.getData())).isEqualTo(Answer.SERVFAIL);
      assertThat(dns.server.stats().forwardOverflowTotal()).isGreaterThanOrEqualTo(1);
      // The first SERVFAIL can come back before another loop has taken its datagram in: wait for all.
      await().atMost(Duration.ofSeconds(2)).untilAsserted(() ->
          assertThat(dns.server.stats().forwardedTotal() + dns.server.stats().forwardOverflowTotal()).isEqualTo(loops + 1));
      assertThat(dns.server.stats().forwardedTotal()).isLessThanOrEqualTo(loops);
    }
  }

  @Test
  void oneTcpConnectionCannotTakeTheWholeForwardingBudget() throws Exception {
    int extra = 8;
    int queries = ForwardingLoop.MAX_PENDING_PER_CLIENT + extra;
    // An upstream that accepts connections (the kernel completes them) and never answers.
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0, queries * 2, java.net.InetAddress.getLoopbackAddress());
        DnsHarness dns = DnsHarness.start(dir, Fixture.backends(), Map.of(),
            forwardingTo(new InetSocketAddress("127.0.0.1", silent.getLocalPort())).withUpstreamTimeout(Duration.ofSeconds(5)),
            DnsServer.Limits.NO_WARM_UP);
        Socket client = new Socket("127.0.0.1", dns.port())) {
      java.io.OutputStream out = client.getOutputStream();
      for (int id = 1; id <= queries; id++) { // pipelined on one connection
        byte[] query = WirePackets.query(id, RD, 1, 0, 0, 0, WirePackets.question("host" + id + ".example.com", 1));
        out.write(WirePackets.concat(new byte[] {0, (byte) query.length}, query));
      }
      out.flush();
      client.setSoTimeout(2_000); // well before the upstream timeout: these answers come at once
      java.io.InputStream in = client.getInputStream();
      for (int i = 0; i < extra; i++) {
        assertThat(WirePackets.rcode(WirePackets.readTcp(in))).isEqualTo(Answer.SERVFAIL);
      }
      assertThat(dns.server.stats().forwardOverflowTotal()).isEqualTo(extra);
      assertThat(dns.server.stats().forwardedTotal()).isEqualTo(ForwardingLoop.MAX_PENDING_PER_CLIENT);
    }
  }

  @Test
  void anUpstreamThatIsThisServerIsRefusedAtStart() throws Exception {
    int port;
    try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      port = probe.getLocalPort();
    }
    for (String listen : List.of("127.0.0.1", "0.0.0.0")) {
      DnsConfig config = forwardingTo(new InetSocketAddress("192.0.2.53", 53), new InetSocketAddress("127.0.0.1", port))
          .withListen(new InetSocketAddress(listen, port));
      DnsServer server = new DnsServer(config, new io.edgeproxy.core.routing.RoutingState("sa", new io.edgeproxy.core.routing.LoadBoard()),
          new io.edgeproxy.core.geo.ClientLocator(new io.edgeproxy.core.geo.FixedGeoResolver(Map.of())), List::of,
          DnsServer.Limits.NO_WARM_UP);
      try {
        org.assertj.core.api.Assertions.assertThatThrownBy(server::start).as("listening on " + listen)
            .hasMessageContaining("EDGEPROXY_DNS_UPSTREAMS lists 127.0.0.1:" + port + ", this server's own DNS address");
      } finally {
        server.close();
      }
    }
  }

  private static IpNetwork network(String text) {
    return IpNetwork.parse(text).orElseThrow();
  }
}
