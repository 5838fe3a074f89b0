package io.edgeproxy.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeproxy.core.geo.IpAddresses;
import io.edgeproxy.core.geo.IpNetwork;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DnsConfigTest {
  @Test
  void dnsIsAbsentUnlessEnabled() {
    assertThat(EdgeConfig.defaults().dns()).isNull();
    assertThat(EdgeConfig.load(Map.of("EDGEPROXY_DNS_TTL_SECS", "nonsense"), Map.of()).dns())
        .as("keys of a disabled section are not read").isNull();
  }

  @Test
  void enabledDnsHasTheDocumentedDefaults() {
    DnsConfig dns = EdgeConfig.load(Map.of("EDGEPROXY_DNS_ENABLED", "1"), Map.of()).dns();
    assertThat(dns).isNotNull();
    assertThat(dns.listen().getPort()).isEqualTo(5353);
    assertThat(dns.listen().getAddress().isAnyLocalAddress()).isTrue();
    assertThat(dns.zone()).isEqualTo("internal");
    assertThat(dns.ttl()).isEqualTo(Duration.ofSeconds(5));
    assertThat(dns.rateLimit()).isEqualTo(1000);
    assertThat(dns.upstreams()).isEmpty();
    assertThat(dns.forwarding()).isFalse();
    assertThat(dns.forwardFrom()).map(IpNetwork::toString).containsExactly(
        "127.0.0.0/8", "0:0:0:0:0:0:0:1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
        "fc00:0:0:0:0:0:0:0/7");
    assertThat(dns.allowFrom()).as("only loopback and private networks are answered by default").isEqualTo(dns.forwardFrom());
    assertThat(dns.upstreamTimeout()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void upstreamsAreIpAddressesInOrderAndForwardFromIsAListOfNetworks() {
    DnsConfig dns = EdgeConfig.load(Map.of(
        "EDGEPROXY_DNS_ENABLED", "1",
        "EDGEPROXY_DNS_UPSTREAMS", " 10.0.0.2:53, [fd00::53]:5300 ,",
        "EDGEPROXY_DNS_FORWARD_FROM", "10.1.2.3/16, fd00::/8",
        "EDGEPROXY_DNS_UPSTREAM_TIMEOUT_MS", "250"), Map.of()).dns();
    assertThat(dns.forwarding()).isTrue();
    assertThat(dns.upstreams()).containsExactly(
        new InetSocketAddress(IpAddresses.parseLiteral("10.0.0.2").orElseThrow(), 53),
        new InetSocketAddress(IpAddresses.parseLiteral("fd00::53").orElseThrow(), 5300));
    assertThat(dns.forwardFrom()).map(IpNetwork::toString).as("host bits past the prefix are cleared")
        .containsExactly("10.1.0.0/16", "fd00:0:0:0:0:0:0:0/8");
    assertThat(dns.upstreamTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(EdgeConfig.load(Map.of(), Map.of(ConfigKey.DNS_ENABLED, "1", ConfigKey.DNS_FORWARD_FROM, "")).dns().forwardFrom())
        .as("empty: nobody may forward").isEmpty();
    assertThat(EdgeConfig.load(Map.of("EDGEPROXY_DNS_ENABLED", "1", "EDGEPROXY_DNS_ALLOW_FROM", "0.0.0.0/0,::/0"), Map.of())
        .dns().allowFrom()).map(IpNetwork::toString).as("an operator may open it to everyone")
        .containsExactly("0.0.0.0/0", "0:0:0:0:0:0:0:0/0");
  }

  @Test
  void badUpstreamsAndNetworksAreReportedEntryByEntry() {
    assertThatThrownBy(() -> EdgeConfig.load(Map.of(
            "EDGEPROXY_DNS_ENABLED", "on",
            "EDGEPROXY_DNS_UPSTREAMS", "10.0.0.2:53,dns.google:53,10.0.0.3,::1:53,10.0.0.4:0,10.0.0.5:65536",
            "EDGEPROXY_DNS_FORWARD_FROM", "10.0.0.0/8,10.0.0.0/33,fd00::/129,example.com/8,10.0.0.0,[::1]/128",
            "EDGEPROXY_DNS_UPSTREAM_TIMEOUT_MS", "0"), Map.of()))
        .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems()).containsExactly(
            upstreams("dns.google:53"), upstreams("10.0.0.3"), upstreams("::1:53"), upstreams("10.0.0.4:0"),
            upstreams("10.0.0.5:65536"),
            networks("10.0.0.0/33"), networks("fd00::/129"), networks("example.com/8"), networks("10.0.0.0"),
            networks("[::1]/128"),
            "EDGEPROXY_DNS_UPSTREAM_TIMEOUT_MS (--dns-upstream-timeout-ms): \"0\" is out of range (expected: whole milliseconds >= 1)"));
  }

  private static String upstreams(String entry) {
    return "EDGEPROXY_DNS_UPSTREAMS (--dns-upstreams): \"10.0.0.2:53,dns.google:53,10.0.0.3,::1:53,10.0.0.4:0,10.0.0.5:65536\""
        + " has a bad entry \"" + entry + "\" (expected: empty, or ip:port[,ip:port...] with IP literals ([v6]:port), port 1-65535)";
  }

  private static String networks(String entry) {
    return "EDGEPROXY_DNS_FORWARD_FROM (--dns-forward-from): \"10.0.0.0/8,10.0.0.0/33,fd00::/129,example.com/8,10.0.0.0,[::1]/128\""
        + " has a bad entry \"" + entry + "\" (expected: empty, or ip/prefix[,ip/prefix...] with IP literals, prefix 0-32 (IPv4) or 0-128 (IPv6))";
  }

  @Test
  void forwardingKeysAreTakenFromFlags() {
    DnsConfig dns = EdgeConfig.load(Map.of("EDGEPROXY_DNS_UPSTREAMS", "10.9.9.9:53"), Map.of(
        ConfigKey.DNS_ENABLED, "true", ConfigKey.DNS_UPSTREAMS, "127.0.0.1:5300",
        ConfigKey.DNS_FORWARD_FROM, "127.0.0.1/32", ConfigKey.DNS_UPSTREAM_TIMEOUT_MS, "20")).dns();
    assertThat(dns.upstreams()).extracting(InetSocketAddress::getPort).containsExactly(5300);
    assertThat(dns.forwardFrom()).map(IpNetwork::toString).containsExactly("127.0.0.1/32");
    assertThat(dns.upstreamTimeout()).isEqualTo(Duration.ofMillis(20));
  }

  @Test
  void withHelpersKeepTheOtherFields() {
    DnsConfig base = DnsConfig.forTest().withRateLimit(7);
    DnsConfig changed = base.withUpstreams(List.of(new InetSocketAddress("127.0.0.1", 53)))
        .withForwardFrom(List.of(IpNetwork.parse("10.0.0.0/8").orElseThrow()))
        .withUpstreamTimeout(Duration.ofMillis(300));
    assertThat(changed.rateLimit()).isEqualTo(7);
    assertThat(changed.forwarding()).isTrue();
    assertThat(changed.forwardFrom()).hasSize(1);
    assertThat(changed.upstreamTimeout()).isEqualTo(Duration.ofMillis(300));
    assertThat(DnsConfig.forTest().forwarding()).isFalse();
    assertThatThrownBy(() -> base.withUpstreams(List.of(new InetSocketAddress("127.0.0.1", 0))))
        .hasMessageContaining("expected: an IP address and a port 1-65535");
  }

  @Test
  void zoneIsLowerCasedAndLosesItsTrailingDot() {
    DnsConfig dns = EdgeConfig.load(Map.of(), Map.of(
        ConfigKey.DNS_ENABLED, "true", ConfigKey.DNS_DOMAIN, "Edge.Example.", ConfigKey.DNS_TTL_SECS, "0",
        ConfigKey.DNS_LISTEN_ADDR, "127.0.0.1:0", ConfigKey.DNS_RATE_LIMIT, "0")).dns();
    assertThat(dns.zone()).isEqualTo("edge.example");
    assertThat(dns.ttl()).isZero();
    assertThat(dns.rateLimit()).isZero();
  }

  @Test
  void invalidDnsValuesNameKeyValueAndExpectation() {
    assertThatThrownBy(() -> EdgeConfig.load(Map.of(
            "EDGEPROXY_DNS_ENABLED", "on",
            "EDGEPROXY_DNS_LISTEN_ADDR", "0.0.0.0:53535353",
            "EDGEPROXY_DNS_DOMAIN", "bad..zone",
            "EDGEPROXY_DNS_TTL_SECS", "-5",
            "EDGEPROXY_DNS_RATE_LIMIT", "lots"), Map.of()))
        .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "EDGEPROXY_DNS_LISTEN_ADDR (--dns-listen): \"0.0.0.0:53535353\" is not a valid address (expected: host:port, port 0-65535)",
            "EDGEPROXY_DNS_DOMAIN (--dns-domain): \"bad..zone\" is not a DNS name (expected: a DNS name: labels of letters, digits, '-' or '_' (1-63 each) separated by '.', 1-200 characters)",
            "EDGEPROXY_DNS_TTL_SECS (--dns-ttl-secs): \"-5\" is out of range (expected: whole seconds >= 0)",
            "EDGEPROXY_DNS_RATE_LIMIT (--dns-rate-limit): \"lots\" is not a whole number (expected: an integer >= 0)"));
  }
}
