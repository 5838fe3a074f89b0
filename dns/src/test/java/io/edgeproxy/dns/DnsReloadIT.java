package io.edgeproxy.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.testing.Sqlite3Cli;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Hand edits to routing.db with the real sqlite3 reach DNS answers with the next snapshot. */
@Timeout(60)
class DnsReloadIT {
  @TempDir Path dir;

  @Test
  void unhealthyDeletedAndNewBackendsShowInAnswers() {
    try (DnsHarness dns = DnsHarness.start(dir, Fixture.backends())) {
      assertThat(dns.digShort("web.internal", "A")).contains("10.50.1.1");

      Sqlite3Cli.exec(dns.dbPath, "UPDATE backends SET healthy = 0 WHERE id = 'web-gru-1'");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(dns.digShort("web.internal", "A")).doesNotContain("10.50.1.1").contains("10.50.2.1"));
      assertThat(dns.digShort("web-gru-1.vm.web.internal", "A")).isEmpty();
      assertThat(dns.dig("web-gru-1.vm.web.internal", "A")).contains("status: NOERROR");
      assertThat(DnsNameFormsIT.unquote(dns.digShort("all.vms.web.internal", "TXT").get(0))).contains("web-gru-1 sa");

      Sqlite3Cli.exec(dns.dbPath, "INSERT INTO backends (id, app, region, country, wg_ip, port, weight, soft_limit, hard_limit)"
          + " VALUES ('shop-1', 'shop', 'us', 'US', '10.99.0.1', 443, 1, 10, 20)");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(dns.digShort("shop.internal", "A")).containsExactly("10.99.0.1"));
      assertThat(DnsNameFormsIT.unquote(dns.digShort("_apps.internal", "TXT").get(0))).isEqualTo("api,db.main,shop,web");

      Sqlite3Cli.exec(dns.dbPath, "UPDATE backends SET deleted = 1 WHERE id = 'web-eze-1'");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(dns.dig("web-eze-1.vm.web.internal", "A")).contains("status: NXDOMAIN"));
      assertThat(DnsNameFormsIT.unquote(dns.digShort("all.vms.web.internal", "TXT").get(0))).doesNotContain("web-eze-1");
      assertThat(dns.dig("internal", "SOA")).as("the SOA serial is the snapshot version")
          .containsPattern("hostmaster.internal. [4-9] 3600");
    }
  }
}
