package io.edgeproxy.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LocalPortsTest {
  @Test
  void noPortIsHandedOutTwiceThoughEachIsClosedBeforeTheNextAsk() throws Exception {
    // without the ledger, 2,000 asks here repeated a port 111-118 times, the first within 100 asks
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      assertThat(seen.add(LocalPorts.tcp().getPort())).as("ask %d", i).isTrue();
      assertThat(seen.add(LocalPorts.udp().getPort())).as("ask %d", i).isTrue();
    }
  }
}
