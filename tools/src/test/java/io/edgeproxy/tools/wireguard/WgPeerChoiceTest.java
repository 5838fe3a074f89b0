package io.edgeproxy.tools.wireguard;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.config.WireGuardConfig;
import io.edgeproxy.core.geo.IpAddresses;
import io.edgeproxy.core.geo.IpNetwork;
import io.edgeproxy.replication.tls.ClusterPki;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WgPeerChoiceTest {
  private static final ClusterPki.Identity CA = ClusterPki.newCa("test");
  private static final WireGuardConfig OWN = new WireGuardConfig("wg0", IpAddresses.parseLiteral("10.50.0.1").orElseThrow(), 16,
      51820, List.of(net("10.60.1.0/24")));
  private static final long NOW = System.currentTimeMillis();
  private static int keys;

  private static final String OWN_KEY = "OOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOA=";
  private final WgPeerChoice choice = new WgPeerChoice("pop-1", OWN_KEY, OWN, CA.certificate());

  private static IpNetwork net(String text) {
    return IpNetwork.parse(text).orElseThrow();
  }

  /** pop-N's row, signed with its own certificate; a fresh public key each time unless given. */
  private static String row(String node, String address, long issued, String... subnets) {
    String key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" + (char) ('A' + keys++ % 26) + "A=";
    return rowWithKey(node, key, address, issued, subnets);
  }

  private static String rowWithKey(String node, String key, String address, long issued, String... subnets) {
    ClusterPki.Identity id = ClusterPki.issue(CA, node);
    return new WgAnnouncement(node, key, "10.0.0.9:51820", address, Arrays.stream(subnets).map(WgPeerChoiceTest::net).toList(),
        issued).sign(id.certificate(), id.key());
  }

  @Test
  void membersThatAreUpWithAGoodRowArePeersAndOthersAreNot() {
    Map<String, String> rows = new LinkedHashMap<>();
    rows.put("pop-1", row("pop-1", "10.50.0.1/16", 1)); // this POP's own row
    rows.put("pop-2", row("pop-2", "10.50.0.2/16", 1, "10.60.2.0/24"));
    rows.put("pop-3", row("pop-3", "10.50.0.3/16", 1));
    WgPeerChoice.Choice c = choice.choose(rows, Set.of("pop-2"), NOW);
    assertThat(c.peers()).containsOnlyKeys("pop-2");
    assertThat(c.rejected()).isEmpty();
  }

  @Test
  void anOverlappingSubnetIsLeftOutOfTheHigherNodeIdAndAnOverlappingAddressRefusesTheRow() {
    Map<String, String> rows = new LinkedHashMap<>();
    rows.put("pop-2", row("pop-2", "10.50.0.2/16", 1, "10.60.2.0/24"));
    rows.put("pop-3", row("pop-3", "10.50.0.3/16", 1, "10.60.0.0/16", "10.70.3.0/24")); // covers pop-2's subnet and this POP's
    rows.put("pop-4", row("pop-4", "10.50.0.2/16", 1)); // pop-2's overlay address
    rows.put("pop-5", row("pop-5", "10.50.0.5/16", 1, "10.60.1.128/25")); // inside this POP's subnet
    WgPeerChoice.Choice c = choice.choose(rows, Set.of("pop-2", "pop-3", "pop-4", "pop-5"), NOW);
    assertThat(c.peers()).containsOnlyKeys("pop-2", "pop-3", "pop-5");
    assertThat(c.peers().get("pop-2").subnets()).containsExactly(net("10.60.2.0/24"));
    assertThat(c.peers().get("pop-3").subnets()).containsExactly(net("10.70.3.0/24"));
    assertThat(c.peers().get("pop-5").subnets()).isEmpty();
    assertThat(c.rejected()).containsOnlyKeys("pop-3", "pop-4", "pop-5");
    assertThat(c.rejected().get("pop-3")).isEqualTo("subnets left out: 10.60.0.0/16 (overlaps 10.60.1.0/24 of pop-1)");
    assertThat(c.rejected().get("pop-4")).isEqualTo("its address 10.50.0.2/32 overlaps 10.50.0.2/32 of pop-2");
    assertThat(c.rejected().get("pop-5")).isEqualTo("subnets left out: 10.60.1.128/25 (overlaps 10.60.1.0/24 of pop-1)");
    // pop-2 gone for good: its address is free for the next one
    assertThat(choice.choose(rows, Set.of("pop-4"), NOW).peers()).containsOnlyKeys("pop-4");
  }

  @Test
  void wideSubnetsAnAddressOutsideTheOverlayASharedKeyOrAnOldRowAreRefused() {
    Map<String, String> rows = new LinkedHashMap<>();
    rows.put("pop-2", row("pop-2", "10.50.0.2/16", 1, "0.0.0.0/1", "128.0.0.0/1", "10.0.0.0/24")); // 10.0.0.9 is an endpoint
    rows.put("pop-3", row("pop-3", "192.168.7.3/24", 1));
    rows.put("pop-4", rowWithKey("pop-4", "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA=", "10.50.0.4/16", 1));
    rows.put("pop-5", rowWithKey("pop-5", "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA=", "10.50.0.5/16", 1));
    rows.put("pop-6", rowWithKey("pop-6", OWN_KEY, "10.50.0.6/16", 1));
    rows.put("bad\nnode", "x");
    WgPeerChoice.Choice c = choice.choose(rows, Set.of("pop-2", "pop-3", "pop-4", "pop-5", "pop-6"), NOW);
    assertThat(c.peers()).containsOnlyKeys("pop-2", "pop-4");
    assertThat(c.peers().get("pop-2").subnets()).isEmpty();
    assertThat(c.rejected()).containsEntry("pop-2", "subnets left out: 0.0.0.0/1 (wider than /8 (IPv4) or /16 (IPv6)), 128.0.0.0/1"
        + " (wider than /8 (IPv4) or /16 (IPv6)), 10.0.0.0/24 (holds the endpoint 10.0.0.9)");
    assertThat(c.rejected()).containsEntry("pop-3", "its address 192.168.7.3/24 is outside this POP's overlay 10.50.0.0/16");
    assertThat(c.rejected()).containsEntry("pop-5", "its public key is pop-4's");
    assertThat(c.rejected()).containsEntry("pop-6", "its public key is pop-1's");
    assertThat(c.rejected()).containsKey("bad?node");

    Map<String, String> newer = Map.of("pop-7", row("pop-7", "10.50.0.7/16", 20));
    assertThat(choice.choose(newer, Set.of("pop-7"), NOW).peers()).containsOnlyKeys("pop-7");
    WgPeerChoice.Choice replayed = choice.choose(Map.of("pop-7", row("pop-7", "10.50.0.77/16", 10)), Set.of("pop-7"), NOW);
    assertThat(replayed.peers()).isEmpty();
    assertThat(replayed.rejected().get("pop-7")).startsWith("its announcement (issued-ms 10) is older than one already seen (20)");
  }
}
