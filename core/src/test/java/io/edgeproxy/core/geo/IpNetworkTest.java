package io.edgeproxy.core.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class IpNetworkTest {
  @Test
  void containsAddressesWhosePrefixMatches() {
    IpNetwork net = network("172.16.0.0/12");
    assertThat(net.contains(ip("172.16.0.1"))).isTrue();
    assertThat(net.contains(ip("172.31.255.255"))).isTrue();
    assertThat(net.contains(ip("172.32.0.0"))).isFalse();
    assertThat(net.contains(ip("172.15.255.255"))).isFalse();
    assertThat(network("127.0.0.1/32").contains(ip("127.0.0.1"))).isTrue();
    assertThat(network("127.0.0.1/32").contains(ip("127.0.0.2"))).isFalse();
    assertThat(network("0.0.0.0/0").contains(ip("8.8.8.8"))).isTrue();
    assertThat(network("fc00::/7").contains(ip("fd12::1"))).isTrue();
    assertThat(network("fc00::/7").contains(ip("fe80::1"))).isFalse();
  }

  @Test
  void familiesNeverMix() {
    assertThat(network("0.0.0.0/0").contains(ip("::1"))).isFalse();
    assertThat(network("::/0").contains(ip("10.0.0.1"))).isFalse();
    assertThat(network("10.0.0.0/8").contains(ip("::ffff:10.0.0.1"))).as("Java reads a mapped address as IPv4").isTrue();
  }

  @Test
  void hostBitsPastThePrefixAreCleared() {
    assertThat(network("10.1.2.3/8")).isEqualTo(network("10.0.0.0/8")).hasToString("10.0.0.0/8");
    assertThat(network("192.168.1.77/20")).hasToString("192.168.0.0/20");
  }

  @Test
  void parsesIpLiteralsWithAPrefixOnly() {
    for (String bad : new String[] {"", "10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/8a",
        "localhost/8", "[::1]/128", "/8", "10.0.0.0/0008"}) {
      assertThat(IpNetwork.parse(bad)).as(bad).isEmpty();
    }
    assertThatThrownBy(() -> new IpNetwork(ip("10.0.0.0"), 40)).hasMessage("prefix: 40 (expected: 0-32)");
  }

  private static IpNetwork network(String text) {
    return IpNetwork.parse(text).orElseThrow();
  }

  private static InetAddress ip(String text) {
    return IpAddresses.parseLiteral(text).orElseThrow();
  }
}
