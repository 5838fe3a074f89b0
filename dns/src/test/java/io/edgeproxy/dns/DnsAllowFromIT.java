package io.edgeproxy.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.config.DnsConfig;
import io.edgeproxy.core.geo.IpNetwork;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * EDGEPROXY_DNS_ALLOW_FROM: only the allowed clients are answered, over UDP and TCP, with dig
 * (its {@code -b} picks 127.0.0.1 or 127.0.0.2 as the client) and raw sockets.
 */
@Timeout(60)
class DnsAllowFromIT {
  @TempDir Path dir;

  private DnsHarness start(DnsConfig config) {
    return DnsHarness.start(dir, Fixture.backends(), Map.of(), config, DnsServer.Limits.NO_WARM_UP);
  }

  private static DnsConfig allowing(String... networks) {
    return DnsConfig.forTest().withAllowFrom(List.of(networks).stream().map(n -> IpNetwork.parse(n).orElseThrow()).toList());
  }

  @Test
  void aClientOutsideTheAllowedNetworksIsRefusedEvenForNamesInTheZone() {
    try (DnsHarness dns = start(allowing("127.0.0.1/32"))) {
      // +nocookie: the same question each time (the cache ignores the id), so the allowed neighbour's cached answer would be found
      assertThat(dns.dig("+nocookie", "web.internal", "A")).contains("status: NOERROR").contains("ANSWER: 4");
      String refused = dns.dig("-b", "127.0.0.2", "+nocookie", "web.internal", "A");
      assertThat(refused).contains("status: REFUSED").contains("QUERY: 1, ANSWER: 0, AUTHORITY: 0")
          .as("the question is echoed").contains(";web.internal.\t\t\tIN\tA");
      assertThat(dns.dig("-b", "127.0.0.2", "+tcp", "web.internal", "A")).contains("status: REFUSED");
      assertThat(dns.server.stats().notAllowedTotal()).isEqualTo(2);
      assertThat(dns.server.stats().responsesTotal(Answer.REFUSED)).isEqualTo(2);
      assertThat(dns.dig("+tcp", "web.internal", "A")).as("the allowed client over TCP").contains("status: NOERROR");
    }
  }

  @Test
  void anEmptyListRefusesEveryone() {
    try (DnsHarness dns = start(DnsConfig.forTest().withAllowFrom(List.of()))) {
      assertThat(dns.dig("web.internal", "A")).contains("status: REFUSED");
      assertThat(dns.dig("+tcp", "web.internal", "A")).contains("status: REFUSED");
    }
  }

  @Test
  void theRefusalIsNoLargerThanTheQueryAndKeepsItsId() throws Exception {
    try (DnsHarness dns = start(allowing("10.0.0.0/8"));
        DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      client.setSoTimeout(5_000);
      byte[] query = WirePackets.query(0x4242, 0x0100, 1, 0, 0, 0, WirePackets.question("web.internal", 1));
      client.send(new DatagramPacket(query, query.length, new InetSocketAddress("127.0.0.1", dns.port())));
      DatagramPacket reply = new DatagramPacket(new byte[1500], 1500);
      client.receive(reply);
      assertThat(reply.getLength()).as("no amplification").isLessThanOrEqualTo(query.length);
      assertThat(reply.getData()[0] & 0xff).isEqualTo(0x42);
      assertThat(reply.getData()[1] & 0xff).isEqualTo(0x42);
      assertThat(reply.getData()[3] & 0x0f).as("RCODE").isEqualTo(Answer.REFUSED);
      assertThat(reply.getData()[2] & 0x80).as("QR").isNotZero();
    }
  }
}
