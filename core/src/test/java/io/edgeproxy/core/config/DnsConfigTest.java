package io.edgeproxy.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
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
