package io.edgeproxy.core.testing.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SubnetTest {
  private static final String IN_USE = """
      1: lo    inet 127.0.0.1/8 scope host lo
      4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0
      5: docker0    inet 10.17.0.1/16 scope global docker0
      6: ep3k9zqbr    inet 10.200.7.254/24 scope global ep3k9zqbr
      default via 192.0.2.1 dev eth0
      10.128.0.0/9 via 192.0.2.1 dev eth0
      """;

  @Test
  void picksOnlyRangesThatOverlapNothingInUse() {
    for (int seed = 0; seed < 2000; seed++) {
      Subnet picked = Subnet.pickFree(IN_USE, new Random(seed));

      int second = (picked.network() >>> 16) & 0xff;
      assertThat(second).as("seed %d: %s", seed, picked.cidr()).isBetween(1, 127).isNotEqualTo(17);
    }
  }

  @Test
  void failsWhenAllOfTenSlashEightIsTaken() {
    assertThatThrownBy(() -> Subnet.pickFree("inet 10.0.0.1/8", new Random(1)))
        .isInstanceOf(NetworkLabException.class)
        .hasMessageContaining("no free /24");
  }

  @Test
  void overlapComparesTheShorterPrefix() {
    int a = (10 << 24) | (5 << 16) | (3 << 8);
    int sameSixteen = (10 << 24) | (5 << 16);
    int neighbour = (10 << 24) | (5 << 16) | (4 << 8);

    assertThat(Subnet.overlaps(a, 24, sameSixteen, 16)).isTrue();
    assertThat(Subnet.overlaps(a, 24, neighbour, 24)).isFalse();
    assertThat(Subnet.overlaps(a, 24, 0, 0)).isTrue();
    assertThat(Subnet.overlaps(a, 24, a | 77, 32)).isTrue();
  }

  @Test
  void gatewayIsDotTwoFiftyFourAndHostsCountFromOne() {
    Subnet subnet = new Subnet((10 << 24) | (9 << 16) | (8 << 8));

    assertThat(subnet.cidr()).isEqualTo("10.9.8.0/24");
    assertThat(subnet.gateway().getHostAddress()).isEqualTo("10.9.8.254");
    assertThat(subnet.host(1).getHostAddress()).isEqualTo("10.9.8.1");
    assertThatThrownBy(() -> subnet.host(254)).hasMessageContaining("index: 254");
  }
}
