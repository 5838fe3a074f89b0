package io.edgeproxy.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.testing.Sqlite3Cli;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backends on IPv6 overlay addresses (6PN, fdaa::/16), written into routing.db by hand with the
 * real sqlite3 and asked with the real dig: AAAA answers carry them and A answers never do, so an
 * app whose backends are all IPv6 answers A with an empty NOERROR (NODATA, with the SOA), not an
 * error and not a wrong record; a mixed app answers each family with its own backends. The POP is
 * in region sa and loopback clients have no geo: sa backends first, then the rest.
 */
@Timeout(60)
class DnsIpv6IT {
  @TempDir static Path dir;
  private static DnsHarness dns;

  @BeforeAll
  static void start() {
    dns = DnsHarness.start(dir, List.of());
    Sqlite3Cli.exec(dns.dbPath, "INSERT INTO backends (id, app, region, country, wg_ip, port) VALUES"
        + " ('six-gru', 'six', 'sa', 'BR', 'fdaa:0:1::5', 8080),"
        + " ('six-iad', 'six', 'us', 'US', 'FDAA:0:2:0:0:0:0:6', 8080)," // written out in full, upper case
        + " ('mix-gru-4', 'mix', 'sa', 'BR', '10.20.0.1', 80),"
        + " ('mix-iad-4', 'mix', 'us', 'US', '10.20.0.2', 80),"
        + " ('mix-gru-6', 'mix', 'sa', 'BR', 'fdaa:0:1::7', 80),"
        + " ('mix-iad-6', 'mix', 'us', 'US', 'fdaa:0:2::8', 80)");
    // Every row passed validation (a rejected one would be missing), IPv6 ones with their address parsed.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(dns.state.current().backends())
        .extracting(b -> b.id() + " " + b.address().getHostAddress())
        .containsExactlyInAnyOrder("six-gru fdaa:0:1:0:0:0:0:5", "six-iad fdaa:0:2:0:0:0:0:6", "mix-gru-4 10.20.0.1",
            "mix-iad-4 10.20.0.2", "mix-gru-6 fdaa:0:1:0:0:0:0:7", "mix-iad-6 fdaa:0:2:0:0:0:0:8"));
  }

  @AfterAll
  static void stop() {
    dns.close();
  }

  @Test
  void aaaaAnswersCarryTheIpv6BackendsNearestFirst() {
    assertThat(records("six.internal", "AAAA")).containsExactly("AAAA fdaa:0:1::5", "AAAA fdaa:0:2::6");
    assertThat(records("+tcp", "six.internal", "AAAA")).containsExactly("AAAA fdaa:0:1::5", "AAAA fdaa:0:2::6");
    assertThat(records("global.six.internal", "AAAA")).containsExactly("AAAA fdaa:0:1::5", "AAAA fdaa:0:2::6");
    assertThat(records("us.six.internal", "AAAA")).containsExactly("AAAA fdaa:0:2::6");
    assertThat(records("top1.nearest.of.six.internal", "AAAA")).containsExactly("AAAA fdaa:0:1::5");
    assertThat(records("six-iad.vm.six.internal", "AAAA")).containsExactly("AAAA fdaa:0:2::6");
    assertThat(dns.dig("six.internal", "AAAA")).contains("status: NOERROR").contains("flags: qr aa").contains("ANSWER: 2,");
  }

  @Test
  void anAQueryForAnAppWithOnlyIpv6BackendsIsAnEmptyNoErrorAnswer() {
    for (String name : List.of("six.internal", "global.six.internal", "sa.six.internal", "top1.nearest.of.six.internal",
        "six-gru.vm.six.internal")) {
      for (String transport : List.of("+notcp", "+tcp")) {
        for (int i = 0; i < 2; i++) { // the second UDP one is answered from the cache
          String out = dns.dig(transport, name, "A");
          assertThat(out).as(name + " A " + transport).contains("status: NOERROR").contains("flags: qr aa")
              .contains("ANSWER: 0, AUTHORITY: 1").contains("IN\tSOA\tpops.internal.");
          assertThat(records(transport, name, "A")).as(name + " A " + transport).isEmpty();
        }
      }
    }
  }

  @Test
  void aMixedAppAnswersAWithItsIpv4BackendsAndAaaaWithItsIpv6Ones() {
    assertThat(records("mix.internal", "A")).containsExactly("A 10.20.0.1", "A 10.20.0.2");
    assertThat(records("mix.internal", "AAAA")).containsExactly("AAAA fdaa:0:1::7", "AAAA fdaa:0:2::8");
    assertThat(records("+tcp", "mix.internal", "A")).containsExactly("A 10.20.0.1", "A 10.20.0.2");
    assertThat(records("+tcp", "mix.internal", "AAAA")).containsExactly("AAAA fdaa:0:1::7", "AAAA fdaa:0:2::8");
    assertThat(records("sa.mix.internal", "A")).containsExactly("A 10.20.0.1");
    assertThat(records("sa.mix.internal", "AAAA")).containsExactly("AAAA fdaa:0:1::7");
    assertThat(records("mix-gru-6.vm.mix.internal", "AAAA")).containsExactly("AAAA fdaa:0:1::7");
    assertThat(dns.dig("mix-gru-6.vm.mix.internal", "A")).contains("status: NOERROR").contains("ANSWER: 0, AUTHORITY: 1");
    assertThat(dns.dig("mix-gru-4.vm.mix.internal", "AAAA")).contains("status: NOERROR").contains("ANSWER: 0, AUTHORITY: 1");
    assertThat(records("mix.internal", "ANY"))
        .containsExactlyInAnyOrder("A 10.20.0.1", "A 10.20.0.2", "AAAA fdaa:0:1::7", "AAAA fdaa:0:2::8");
  }

  @Test
  void srvTargetsOnIpv6ComeWithAaaaRecordsAndListingsShowTheAddress() {
    assertThat(records("_six._tcp.internal", "SRV"))
        .containsExactly("SRV 2 2 8080 six-gru.vm.six.internal.", "SRV 3 2 8080 six-iad.vm.six.internal.");
    assertThat(section("+additional", "_six._tcp.internal", "SRV"))
        .containsExactlyInAnyOrder("AAAA fdaa:0:1::5", "AAAA fdaa:0:2::6");
    assertThat(section("+additional", "_mix._tcp.internal", "SRV"))
        .containsExactlyInAnyOrder("A 10.20.0.1", "A 10.20.0.2", "AAAA fdaa:0:1::7", "AAAA fdaa:0:2::8");
    assertThat(DnsNameFormsIT.unquote(dns.digShort("_instances.internal", "TXT").get(0)))
        .contains("instance=six-iad,app=six,ip=fdaa:0:2::6,region=us", "instance=mix-gru-6,app=mix,ip=fdaa:0:1::7,region=sa");
  }

  /** The answer section as "TYPE data" lines, in order. */
  private static List<String> records(String... args) {
    return section("+answer", args);
  }

  /** One section ({@code +answer}, {@code +additional}) of dig's output as "TYPE data" lines, in order. */
  private static List<String> section(String which, String... args) {
    List<String> command = new ArrayList<>(List.of("+noall", which));
    command.addAll(List.of(args));
    return dns.dig(command.toArray(String[]::new)).lines().filter(l -> !l.isBlank() && !l.startsWith(";"))
        .map(l -> l.trim().split("\\s+"))
        .map(f -> String.join(" ", Arrays.asList(f).subList(3, f.length))) // name, TTL, class, then type and data
        .toList();
  }
}
