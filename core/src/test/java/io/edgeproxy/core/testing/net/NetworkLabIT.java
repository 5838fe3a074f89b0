package io.edgeproxy.core.testing.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults between real namespaces, observed from inside the hosts by {@link ProbeAgent}s. One lab with
 * three hosts serves all tests; each test undoes its faults afterwards.
 */
@Timeout(180)
class NetworkLabIT {
  private static final Duration SHORT = Duration.ofSeconds(1);
  private static final Duration LONG = Duration.ofSeconds(10);

  private static NetworkLab lab;
  private static Host a;
  private static Host b;
  private static Host c;
  private static ProbeAgent agentA;
  private static ProbeAgent agentB;
  private static ProbeAgent agentC;
  private static TcpEchoServer gatewayEcho;

  @BeforeAll
  static void startLab() {
    lab = NetworkLab.create();
    a = lab.addHost("a");
    b = lab.addHost("b");
    c = lab.addHost("c");
    agentA = ProbeAgent.start(a);
    agentB = ProbeAgent.start(b);
    agentC = ProbeAgent.start(c);
    gatewayEcho = TcpEchoServer.start(new InetSocketAddress(lab.gateway(), 0));
  }

  @AfterEach
  void undoFaults() {
    lab.healAll();
    lab.clearLoss();
  }

  @AfterAll
  static void closeLab() {
    if (gatewayEcho != null) {
      gatewayEcho.close();
    }
    if (lab != null) {
      lab.close(); // Kills the agents too.
    }
  }

  @Test
  void hostsExchangeTcpAndUdp() {
    InetSocketAddress tcp = agentB.tcpEcho(0);
    InetSocketAddress udp = agentB.udpEcho(0);

    assertThat(agentA.tcp(tcp, 200_000, LONG).intact()).isTrue();
    assertThat(agentA.udp(udp, 100, Duration.ofMillis(1), LONG).received()).isEqualTo(100);
    assertThat(agentB.udpReceived(udp.getPort())).isEqualTo(100);
  }

  @Test
  void partitionCutsBothWaysUntilHealed() {
    InetSocketAddress bTcp = agentB.tcpEcho(0);
    InetSocketAddress aTcp = agentA.tcpEcho(0);
    InetSocketAddress bUdp = agentB.udpEcho(0);
    InetSocketAddress aUdp = agentA.udpEcho(0);

    lab.partition(a, b);
    lab.partition(a, b); // Idempotent: one heal below must still undo it.

    TcpRoundTrip cut = agentA.tcp(bTcp, 1000, SHORT);
    assertThat(cut.connected()).as(cut.detail()).isFalse();
    assertThat(cut.detail()).contains("timed out");
    assertThat(agentB.tcp(aTcp, 1000, SHORT).connected()).isFalse();
    assertThat(agentA.udp(bUdp, 50, Duration.ofMillis(1), SHORT).received()).isZero();
    assertThat(agentB.udpReceived(bUdp.getPort())).isZero();
    agentB.udp(aUdp, 50, Duration.ofMillis(1), SHORT);
    assertThat(agentA.udpReceived(aUdp.getPort())).isZero();

    lab.heal(a, b);

    assertThat(agentA.tcp(bTcp, 1000, LONG).intact()).isTrue();
    assertThat(agentB.tcp(aTcp, 1000, LONG).intact()).isTrue();
    assertThat(agentA.udp(bUdp, 50, Duration.ofMillis(1), LONG).received()).isEqualTo(50);
  }

  @Test
  void partitionedHostsStillReachTheGatewayAndOthers() {
    InetSocketAddress cTcp = agentC.tcpEcho(0);
    lab.partition(a, b);

    assertThat(agentA.tcp(gatewayEcho.address(), 1000, LONG).intact()).isTrue();
    assertThat(agentB.tcp(gatewayEcho.address(), 1000, LONG).intact()).isTrue();
    assertThat(agentA.tcp(cTcp, 1000, LONG).intact()).isTrue();
    assertThat(agentB.tcp(cTcp, 1000, LONG).intact()).isTrue();
  }

  @Test
  void healRemovesOnlyItsOwnPair() {
    InetSocketAddress bTcp = agentB.tcpEcho(0);
    InetSocketAddress cTcp = agentC.tcpEcho(0);
    lab.partition(a, b);
    lab.partition(a, c);

    lab.heal(a, b);

    assertThat(agentA.tcp(bTcp, 1000, LONG).intact()).isTrue();
    assertThat(agentA.tcp(cTcp, 1000, SHORT).connected()).isFalse();
  }

  @Test
  void lossDropsAboutTheGivenShareEachWay() {
    InetSocketAddress bUdp = agentB.udpEcho(0);
    lab.loss(a, b, 0.2);

    UdpBurst burst = agentA.udp(bUdp, 2000, Duration.ofNanos(200_000), Duration.ofSeconds(2));

    double arrived = agentB.udpReceived(bUdp.getPort()) / 2000.0;
    double returned = burst.received() / 2000.0;
    assertThat(1 - arrived).as("loss a->b").isBetween(0.10, 0.30);
    assertThat(1 - returned).as("round-trip loss, expected 1-0.8^2 = 0.36").isBetween(0.22, 0.50);

    lab.clearLoss(a, b);
    assertThat(agentA.udp(bUdp, 500, Duration.ofNanos(200_000), LONG).received()).isEqualTo(500);
  }

  @Test
  void isolateCutsFromOtherHostsButNotFromTheGateway() {
    InetSocketAddress aTcp = agentA.tcpEcho(0);
    InetSocketAddress aUdp = agentA.udpEcho(0);
    InetSocketAddress cTcp = agentC.tcpEcho(0);
    InetSocketAddress cUdp = agentC.udpEcho(0);
    lab.isolate(c);

    assertThat(agentA.tcp(cTcp, 1000, SHORT).connected()).isFalse();
    assertThat(agentC.tcp(aTcp, 1000, SHORT).connected()).isFalse();
    agentA.udp(cUdp, 20, Duration.ofMillis(1), SHORT);
    agentC.udp(aUdp, 20, Duration.ofMillis(1), SHORT);
    assertThat(agentC.udpReceived(cUdp.getPort())).as("a to c").isZero();
    assertThat(agentA.udpReceived(aUdp.getPort())).as("c to a").isZero();
    assertThat(agentC.tcp(gatewayEcho.address(), 1000, LONG).intact()).isTrue();
    assertThat(TcpRoundTrip.measure(cTcp, 1000, LONG).intact()).as("root namespace to c").isTrue();
    assertThat(agentC.tcp(cTcp, 1000, LONG).intact()).as("c to itself").isTrue();

    lab.rejoin(c);

    assertThat(agentA.tcp(cTcp, 1000, LONG).intact()).isTrue();
    assertThat(agentC.tcp(aTcp, 1000, LONG).intact()).isTrue();
  }
}
