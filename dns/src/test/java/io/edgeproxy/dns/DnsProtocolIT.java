package io.edgeproxy.dns;

import static io.edgeproxy.dns.DnsHarness.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.config.DnsConfig;
import io.edgeproxy.core.routing.Backend;
import io.netty.channel.epoll.Epoll;
import io.netty.handler.codec.dns.DnsRecordType;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** RFC behaviour through dig: EDNS0, truncation then TCP, client subnet, case, refused types. */
@Timeout(60)
class DnsProtocolIT {
  @TempDir Path dir;

  /** {@link Fixture} plus app "big" (120 IPv4 backends: no UDP answer holds them) and "mid" (20, for SRV). */
  private List<Backend> backends() {
    List<Backend> all = new ArrayList<>(Fixture.backends());
    for (int i = 1; i <= 120; i++) {
      all.add(Fixture.backend("big-" + i, "big", "sa", "BR", "10.90." + (i / 200) + "." + (i % 200 + 1), 80, true, 1));
    }
    for (int i = 1; i <= 20; i++) {
      all.add(Fixture.backend("mid-backend-" + i, "mid", "sa", "BR", "10.91.0." + i, 80, true, 1));
    }
    return all;
  }

  private DnsHarness start() {
    Map<java.net.InetAddress, String> geo = Map.of(ip("200.160.2.0"), "BR", ip("8.8.8.0"), "US", ip("81.2.69.0"), "GB");
    return DnsHarness.start(dir, backends(), geo, DnsConfig.forTest(), DnsServer.Limits.NO_WARM_UP);
  }

  @Test
  void theWildcardAddressAnswersIpv4AndIpv6ClientsAndASpecificIpv4AddressOnlyIpv4() throws Exception {
    Assumptions.assumeTrue(ipv6LoopbackWorks(), "no IPv6 loopback here");
    try (DnsHarness any = DnsHarness.start(dir.resolve("any"), Fixture.backends(), Map.of(),
        DnsConfig.forTest().withListen(new InetSocketAddress("0.0.0.0", 0)), DnsServer.Limits.NO_WARM_UP)) {
      for (String server : List.of("127.0.0.1", "::1")) {
        assertThat(dig(server, any.port(), "web-gru-1.vm.web.internal")).as("over " + server).isEqualTo("10.50.1.1");
      }
    }
    try (DnsHarness v4 = DnsHarness.start(dir.resolve("v4"), Fixture.backends(), Map.of(), DnsConfig.forTest(),
        DnsServer.Limits.NO_WARM_UP)) {
      assertThat(dig("127.0.0.1", v4.port(), "web-gru-1.vm.web.internal")).isEqualTo("10.50.1.1");
      assertThat(dig("::1", v4.port(), "web-gru-1.vm.web.internal")).isEmpty();
    }
  }

  private static boolean ipv6LoopbackWorks() {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("::1", 0))) {
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** dig +short over UDP with one try: the answer, or "" when nothing came back. */
  private static String dig(String server, int port, String name) throws Exception {
    Process p = new ProcessBuilder(DnsHarness.digCommand("@" + server, "-p", String.valueOf(port), "+time=1", "+tries=1",
        "+short", name, "A")).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    return out.startsWith(";;") ? "" : out;
  }

  @Test
  void datagramsOfOneClientFlowAreSpreadOverEverySocketOfThePort() throws Exception {
    Assumptions.assumeTrue(Epoll.isAvailable(), "steering is attached on epoll sockets only");
    try (DnsHarness dns = DnsHarness.start(dir, Fixture.backends(), Map.of(), DnsConfig.forTest(),
        DnsServer.Limits.NO_WARM_UP.withIoThreads(2)); DatagramSocket client = new DatagramSocket()) {
      for (int i = 0; i < 200; i++) { // one source address and port: the kernel's flow hash alone would pick one socket
        byte[] reply = WirePackets.udp(client, dns.address, WirePackets.query(i, 0, 1, 0, 0, 0,
            WirePackets.question("web.internal", 1)), 3000);
        assertThat(reply).as("reply %d", i).isNotNull();
      }
      List<Long> bySocket = dns.server.udpDatagramsBySocket();
      assertThat(bySocket).hasSize(2);
      assertThat(bySocket.stream().mapToLong(Long::longValue).sum()).isEqualTo(200);
      // Random steering: each socket's share is Binomial(200, 1/2); below 40 has a chance under 1e-17.
      assertThat(bySocket).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(40));
    }
  }

  @Test
  void aUdpAnswerThatDoesNotFitIsTruncatedAndTheFullAnswerComesOverTcp() {
    try (DnsHarness dns = start()) {
      String udp = dns.dig("+ignore", "big.internal", "A");
      assertThat(udp).contains("flags: qr aa tc").contains("ANSWER: 0").contains("udp: 1232");
      String retried = dns.dig("big.internal", "A"); // dig retries over TCP on TC
      assertThat(retried).contains("ANSWER: 120").doesNotContain("flags: qr aa tc");
      assertThat(dns.dig("+ignore", "+noedns", "big.internal", "A")).as("512 bytes without EDNS").contains("flags: qr aa tc").contains("ANSWER: 0");
      try (NettyDnsClient tcp = new NettyDnsClient(true, dns.address)) {
        assertThat(tcp.query("big.internal", DnsRecordType.A).answers()).hasSize(120).doesNotHaveDuplicates();
      }
      assertThat(dns.server.stats().truncatedTotal()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void additionalRecordsThatDoNotFitAreLeftOutWithoutTruncation() {
    try (DnsHarness dns = start()) {
      String out = dns.dig("_mid._tcp.internal", "SRV");
      assertThat(out).contains("ANSWER: 20").doesNotContain("flags: qr aa tc");
      int additional = Integer.parseInt(out.replaceAll("(?s).*ADDITIONAL: (\\d+).*", "$1"));
      assertThat(additional).isBetween(2, 20); // the OPT record plus the targets that fit in 1232 bytes
    }
  }

  @Test
  void clientSubnetPutsTheClientsCountryThenItsRegionFirst() {
    try (DnsHarness dns = start()) {
      assertThat(dns.digShort("web.internal", "A", "+subnet=200.160.2.0/24")).first().isEqualTo("10.50.1.1");
      assertThat(dns.digShort("web.internal", "A", "+subnet=200.160.2.0/24").get(1)).isEqualTo("10.50.2.1"); // AR: same region
      assertThat(dns.digShort("web.internal", "A", "+subnet=8.8.8.0/24")).first().isEqualTo("10.60.1.1");
      assertThat(dns.digShort("web.internal", "A", "+subnet=81.2.69.0/24")).first().isEqualTo("10.70.1.1"); // GB: eu
      assertThat(dns.digShort("web.internal", "A")).first().isIn("10.50.1.1", "10.50.2.1"); // no geo: the POP's region
      assertThat(dns.dig("web.internal", "A", "+subnet=8.8.8.0/24")).contains("CLIENT-SUBNET: 8.8.8.0/24/24");
      assertThat(dns.digShort("_web._tcp.internal", "SRV", "+subnet=8.8.8.0/24")).first()
          .isEqualTo("0 2 8080 web-iad-1.vm.web.internal.");
      try (NettyDnsClient udp = new NettyDnsClient(false, dns.address)) {
        assertThat(udp.query("web.internal", DnsRecordType.A, ip("81.2.69.0"), 24).answers()).first().isEqualTo("10.70.1.1");
      }
    }
  }

  @Test
  void ednsIsAnsweredWithOptAndOnlyVersionZeroIsSupported() {
    try (DnsHarness dns = start()) {
      assertThat(dns.dig("+bufsize=4096", "web.internal")).contains("; EDNS: version: 0, flags:; udp: 1232");
      assertThat(dns.dig("+noedns", "web.internal")).doesNotContain("OPT PSEUDOSECTION").contains("status: NOERROR");
      assertThat(dns.dig("+edns=1", "+noednsnegotiation", "web.internal")).contains("status: BADVERS");
    }
  }

  @Test
  void theQuestionKeepsItsCaseAndNamesMatchInAnyCase() {
    try (DnsHarness dns = start()) {
      String out = dns.dig("_WeB._TcP.InTeRnAl", "SRV");
      assertThat(out).contains(";_WeB._TcP.InTeRnAl.\t\tIN\tSRV").contains("ANSWER: 5");
    }
  }

  @Test
  void zoneTransfersOtherClassesAndOutsideNamesAreRefusedAndNothingIsForwarded() {
    try (DnsHarness dns = start()) {
      assertThat(dns.dig("internal", "AXFR")).contains("Transfer failed");
      assertThat(dns.dig("-c", "CH", "version.bind", "TXT")).contains("status: REFUSED");
      String outside = dns.dig("example.com", "A");
      assertThat(outside).contains("status: REFUSED").doesNotContain("flags: qr aa").doesNotContain(" ra");
      assertThat(dns.server.stats().responsesTotal(Answer.REFUSED)).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void anyGivesEveryAddressOfAName() {
    try (DnsHarness dns = start()) {
      assertThat(dns.digShort("web.internal", "ANY")).containsExactlyInAnyOrder(
          "10.50.1.1", "10.50.2.1", "10.60.1.1", "10.70.1.1", "fd00:50::2");
    }
  }
}
