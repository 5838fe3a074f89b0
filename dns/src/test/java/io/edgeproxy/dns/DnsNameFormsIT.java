package io.edgeproxy.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.dns.DnsRecordType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every name form of the zone, asked through the real {@code dig} and through Netty's DNS codec
 * (UDP and TCP), against {@link Fixture}'s routing.db. Loopback clients have no geo, so backends
 * of this POP's region (sa) come first, then the rest.
 */
@Timeout(60)
class DnsNameFormsIT {
  @TempDir static Path dir;
  private static DnsHarness dns;

  /**
   * One question and its expected answer data: groups in order, each group's members in any order
   * (members of one tier are ordered by a hash of the client). {@code rcode} 0 with no groups is NODATA.
   */
  record Case(String name, String type, int rcode, List<Set<String>> groups) {
    int count() {
      return groups.stream().mapToInt(Set::size).sum();
    }

    @Override
    public String toString() {
      return name + " " + type;
    }
  }

  private static final Set<String> SA_V4 = Set.of("10.50.1.1", "10.50.2.1");
  private static final Set<String> ELSEWHERE_V4 = Set.of("10.60.1.1", "10.70.1.1");

  static Stream<Case> cases() {
    return Stream.of(
        ok("web.internal", "A", SA_V4, ELSEWHERE_V4),
        ok("web.internal", "AAAA", Set.of("fd00:50::2")),
        ok("global.web.internal", "A", SA_V4, ELSEWHERE_V4),
        ok("WeB.InTeRnAl", "A", SA_V4, ELSEWHERE_V4),
        ok("eu.web.internal", "A", Set.of("10.70.1.1")), // web-lhr-1 (eu) is drained: weight 0
        ok("us.web.internal", "A", Set.of("10.60.1.1")),
        noData("ap.web.internal", "A"), // its only backend is unhealthy
        ok("top2.nearest.of.web.internal", "A", SA_V4),
        ok("top1.nearest.of.web.internal", "AAAA", Set.of("fd00:50::2")),
        ok("web-gru-1.vm.web.internal", "A", Set.of("10.50.1.1")),
        ok("WEB-GRU-2.VM.WEB.INTERNAL", "AAAA", Set.of("fd00:50::2")),
        noData("web-gru-2.vm.web.internal", "A"),
        noData("web-nrt-1.vm.web.internal", "A"), // unhealthy
        nx("web-gone-1.vm.web.internal", "A"),
        ok("_web._tcp.internal", "SRV",
            Set.of("2 2 8080 web-gru-1.vm.web.internal.", "2 2 8081 web-gru-2.vm.web.internal.", "2 1 8080 web-eze-1.vm.web.internal."),
            Set.of("3 2 8080 web-iad-1.vm.web.internal.", "3 2 8080 web-fra-1.vm.web.internal.")),
        ok("_api._tcp.internal", "SRV", Set.of("2 1 9000 api-1.vm.api.internal.")),
        ok("regions.web.internal", "TXT", Set.of("eu,sa,us")),
        ok("all.regions.web.internal", "TXT", Set.of("ap,eu,sa,us")),
        ok("vms.web.internal", "TXT", Set.of("web-eze-1 sa,web-fra-1 eu,web-gru-1 sa,web-gru-2 sa,web-iad-1 us")),
        ok("all.vms.web.internal", "TXT",
            Set.of("web-eze-1 sa,web-fra-1 eu,web-gru-1 sa,web-gru-2 sa,web-iad-1 us,web-lhr-1 eu,web-nrt-1 ap")),
        ok("_apps.internal", "TXT", Set.of("api,db.main,web")),
        ok("_instances.internal", "TXT", Set.of("instance=api-1,app=api,ip=10.51.1.1,region=sa;"
            + "instance=db-1,app=db.main,ip=10.61.1.1,region=us;instance=web-eze-1,app=web,ip=10.50.2.1,region=sa;"
            + "instance=web-fra-1,app=web,ip=10.70.1.1,region=eu;instance=web-gru-1,app=web,ip=10.50.1.1,region=sa;"
            + "instance=web-gru-2,app=web,ip=fd00:50::2,region=sa;instance=web-iad-1,app=web,ip=10.60.1.1,region=us")),
        ok("pops.internal", "A", Set.of("10.9.0.1", "10.9.0.2")),
        ok("pops.internal", "AAAA", Set.of("fd00:9::3")),
        ok("us.pops.internal", "A", Set.of("10.9.0.2")),
        noData("ap.pops.internal", "A"),
        nx("mars.pops.internal", "A"),
        ok("db.main.internal", "A", Set.of("10.61.1.1")),
        ok("api.internal", "A", Set.of("10.51.1.1")),
        ok("internal", "SOA", Set.of("pops.internal. hostmaster.internal. 1 3600 600 86400 5")),
        noData("web.internal", "TXT"),
        noData("vm.web.internal", "A"), // empty non-terminals exist (RFC 8020)
        noData("nearest.of.web.internal", "A"),
        noData("_tcp.internal", "SRV"),
        nx("top0.nearest.of.web.internal", "A"),
        nx("nope.internal", "A"),
        nx("mars.web.internal", "A"),
        new Case("example.com", "A", 5, List.of()));
  }

  @SafeVarargs
  private static Case ok(String name, String type, Set<String>... groups) {
    return new Case(name, type, 0, List.of(groups));
  }

  private static Case noData(String name, String type) {
    return new Case(name, type, 0, List.of());
  }

  private static Case nx(String name, String type) {
    return new Case(name, type, 3, List.of());
  }

  @BeforeAll
  static void start() {
    dns = DnsHarness.start(dir, Fixture.backends());
  }

  @AfterAll
  static void stop() {
    dns.close();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void digGetsTheExpectedAnswer(Case c) {
    String out = dns.dig("+norec", c.name(), c.type());
    assertThat(out).contains("status: " + new String[] {"NOERROR", "", "", "NXDOMAIN", "", "REFUSED"}[c.rcode()]);
    assertInGroups(c, dns.digShort(c.name(), c.type()).stream().map(DnsNameFormsIT::unquote).toList());
    if (c.rcode() != 5) {
      assertThat(out).contains("flags: qr aa");
    }
    if (c.count() == 0 && c.rcode() != 5) {
      assertThat(out).as("negative answers carry the SOA").contains("AUTHORITY: 1").contains("IN\tSOA\tpops.internal.");
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void nettyClientGetsTheSameOverUdpAndTcp(Case c) {
    for (boolean tcp : new boolean[] {false, true}) {
      try (NettyDnsClient client = new NettyDnsClient(tcp, dns.address)) {
        NettyDnsClient.Reply reply = client.query(c.name(), DnsRecordType.valueOf(c.type()));
        assertThat(reply.rcode()).as("rcode over " + (tcp ? "TCP" : "UDP")).isEqualTo(c.rcode());
        assertThat(reply.truncated()).isFalse();
        assertInGroups(c, reply.answers().stream().map(a -> c.type().equals("SOA") ? "SOA" : a).toList()
            .stream().map(a -> a.equals("SOA") ? "pops.internal. hostmaster.internal. 1 3600 600 86400 5" : a).toList());
        assertThat(reply.authority()).isEqualTo(c.count() == 0 && c.rcode() != 5 ? 1 : 0);
      }
    }
  }

  @Test
  void srvTargetsComeWithTheirAddressesInTheAdditionalSection() {
    try (NettyDnsClient client = new NettyDnsClient(false, dns.address)) {
      NettyDnsClient.Reply reply = client.query("_web._tcp.internal", DnsRecordType.SRV);
      assertThat(reply.additional()).containsExactlyInAnyOrder("10.50.1.1", "fd00:50::2", "10.50.2.1", "10.60.1.1", "10.70.1.1");
    }
    assertThat(dns.dig("_web._tcp.internal", "SRV")).contains("web-gru-2.vm.web.internal. 5\tIN\tAAAA\tfd00:50::2");
  }

  @Test
  void allInstancesIncludeUnhealthyAndDrainedBackends() {
    String all = unquote(dns.digShort("all._instances.internal", "TXT").get(0));
    assertThat(all).contains("instance=web-nrt-1,app=web,ip=10.80.1.1,region=ap")
        .contains("instance=web-lhr-1,app=web,ip=10.70.2.1,region=eu");
    assertThat(unquote(dns.digShort("_instances.internal", "TXT").get(0))).doesNotContain("web-nrt-1", "web-lhr-1");
  }

  /** dig +short prints TXT as "a" "b" (strings of at most 255 bytes); readers join them. */
  static String unquote(String data) {
    return data.startsWith("\"") ? data.substring(1, data.length() - 1).replace("\" \"", "") : data;
  }

  static void assertInGroups(Case c, List<String> actual) {
    assertThat(actual).as(c + " answer count").hasSize(c.count());
    List<String> rest = new ArrayList<>(actual);
    for (Set<String> group : c.groups()) {
      assertThat(rest.subList(0, group.size())).as(c + ": next group in order").containsExactlyInAnyOrderElementsOf(group);
      rest = rest.subList(group.size(), rest.size());
    }
  }
}
