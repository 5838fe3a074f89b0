package io.edgeproxy.core.testing.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link DelayRelay} on a lab's gateway between two hosts: used directly, and slipped into the a-to-b
 * link with {@link NetworkLab#redirect}, so that a still addresses b and only the round trip shows it.
 */
@Timeout(180)
class DelayRelayIT {
  private static final Duration DELAY = Duration.ofMillis(200);
  private static final Duration TWO_WAY = DELAY.multipliedBy(2);
  private static final Duration WAIT = Duration.ofSeconds(5);

  private static NetworkLab lab;
  private static Host a;
  private static ProbeAgent agentA;
  private static ProbeAgent agentB;
  private static ProbeAgent agentC;

  @BeforeAll
  static void startLab() {
    lab = NetworkLab.create();
    a = lab.addHost("a");
    Host b = lab.addHost("b");
    Host c = lab.addHost("c");
    agentA = ProbeAgent.start(a);
    agentB = ProbeAgent.start(b);
    agentC = ProbeAgent.start(c);
  }

  @AfterEach
  void clearRedirects() {
    lab.clearRedirects();
  }

  @AfterAll
  static void closeLab() {
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void udpRelayAddsTheDelayEachWayAndKeepsOrder() {
    InetSocketAddress echo = agentB.udpEcho(0);
    try (DelayRelay relay = DelayRelay.udp(onGateway(), echo, DELAY)) {
      UdpBurst burst = agentA.udp(relay.address(), 200, Duration.ofMillis(1), WAIT);

      assertThat(burst.received()).isEqualTo(200);
      assertThat(burst.inOrder()).isTrue();
      assertThat(burst.minRtt()).isGreaterThanOrEqualTo(TWO_WAY);
      await().untilAsserted(() -> assertThat(relay.counters()).isEqualTo(new RelayCounters(400, 400 * 64, 0, 0)));
    }
  }

  @Test
  void tcpRelayAddsTheDelayEachWayAndKeepsOrder() {
    InetSocketAddress echo = agentB.tcpEcho(0);
    try (DelayRelay relay = DelayRelay.tcp(onGateway(), echo, DELAY)) {
      TcpRoundTrip trip = agentA.tcp(relay.address(), 1 << 20, WAIT);

      assertThat(trip.intact()).as(trip.detail()).isTrue();
      assertThat(trip.firstByte()).isGreaterThanOrEqualTo(TWO_WAY);
      await().untilAsserted(() -> assertThat(relay.counters().bytes()).isEqualTo(2L << 20));
    }
  }

  @Test
  void redirectPutsTheRelayIntoOneUdpLinkTransparently() {
    InetSocketAddress echo = agentB.udpEcho(0);
    assertThat(agentA.udp(echo, 50, Duration.ofMillis(1), WAIT).minRtt()).isLessThan(TWO_WAY);
    try (DelayRelay relay = DelayRelay.udp(onGateway(), echo, DELAY)) {
      lab.redirect(a, Protocol.UDP, echo, relay.address());

      UdpBurst slowed = agentA.udp(echo, 50, Duration.ofMillis(1), WAIT);
      UdpBurst other = agentC.udp(echo, 50, Duration.ofMillis(1), WAIT);

      assertThat(slowed.received()).isEqualTo(50);
      assertThat(slowed.inOrder()).isTrue();
      assertThat(slowed.minRtt()).isGreaterThanOrEqualTo(TWO_WAY);
      await().untilAsserted(() -> assertThat(relay.counters().datagrams()).isEqualTo(100));
      assertThat(other.minRtt()).as("c's link is untouched").isLessThan(TWO_WAY);

      lab.clearRedirects();
      // UdpBurst uses a new socket, hence a new conntrack flow that the cleared rule no longer catches.
      assertThat(agentA.udp(echo, 50, Duration.ofMillis(1), WAIT).minRtt()).isLessThan(TWO_WAY);
      assertThat(relay.counters().datagrams()).isEqualTo(100);
    }
  }

  @Test
  void redirectPutsTheRelayIntoOneTcpLinkTransparently() {
    InetSocketAddress echo = agentB.tcpEcho(0);
    assertThat(agentA.tcp(echo, 1000, WAIT).firstByte()).isLessThan(TWO_WAY);
    try (DelayRelay relay = DelayRelay.tcp(onGateway(), echo, DELAY)) {
      lab.redirect(a, Protocol.TCP, echo, relay.address());

      TcpRoundTrip slowed = agentA.tcp(echo, 100_000, WAIT);

      assertThat(slowed.intact()).as(slowed.detail()).isTrue();
      assertThat(slowed.firstByte()).isGreaterThanOrEqualTo(TWO_WAY);
      TcpRoundTrip other = agentC.tcp(echo, 1000, WAIT);

      assertThat(other.firstByte()).as("c's link is untouched").isLessThan(TWO_WAY);
      await().untilAsserted(() -> assertThat(relay.counters()).isEqualTo(new RelayCounters(0, 200_000, 0, 1)));
    }
  }

  private static InetSocketAddress onGateway() {
    return new InetSocketAddress(lab.gateway(), 0);
  }
}
