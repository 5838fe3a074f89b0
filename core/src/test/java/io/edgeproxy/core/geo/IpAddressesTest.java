package io.edgeproxy.core.geo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IpAddressesTest {
  @Test
  void parsesLiteralsOnly() {
    assertThat(IpAddresses.parseLiteral("10.0.0.1")).get().hasToString("/10.0.0.1");
    assertThat(IpAddresses.parseLiteral("fd00::1")).isPresent();
    assertThat(IpAddresses.parseLiteral("[::1]")).isPresent();
    for (String bad : new String[] {"", "10.0.0", "10.0.0.256", "1.2.3.4.5", "a.b.c.d", "localhost", "example.com", "10.0.0.-1", "::g"}) {
      assertThat(IpAddresses.parseLiteral(bad)).as(bad).isEmpty();
    }
  }
}
