package io.edgeproxy.core.geo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IpAddressesTest {
  @Test
  void parsesLiteralsOnly() {
    assertThat(IpAddresses.parseLiteral("10.0.0.1")).get().hasToString("/10.0.0.1");
    assertThat(IpAddresses.parseLiteral("0.0.0.0")).get().hasToString("/0.0.0.0");
    assertThat(IpAddresses.parseLiteral("255.255.255.255")).get().hasToString("/255.255.255.255");
    assertThat(IpAddresses.parseLiteral("010.001.0.1")).get().hasToString("/10.1.0.1");
    assertThat(IpAddresses.parseLiteral("fd00::1")).isPresent();
    assertThat(IpAddresses.parseLiteral("[::1]")).isPresent();
    for (String bad : new String[] {"", "10.0.0", "10.0.0.256", "1.2.3.4.5", "a.b.c.d", "localhost", "example.com", "10.0.0.-1", "::g",
        "10..0.1", ".10.0.0", "10.0.0.1.", "1000.0.0.1", "10.0.0.+1"}) {
      assertThat(IpAddresses.parseLiteral(bad)).as(bad).isEmpty();
    }
  }
}
