package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.config.AcmeConfig;
import io.edgeproxy.core.config.EdgeTlsConfig;
import io.edgeproxy.core.testing.LocalPorts;
import io.edgeproxy.tools.tls.acme.AcmeManager;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ACME against a real ACME server: Debian's pebble (Let's Encrypt's test CA). Certificates are
 * ordered by HTTP-01 answered on the plain HTTP listener, stored sealed in routing.db, served at
 * once, verified by curl against pebble's root (no -k), renewed 30 days before expiry (the clock is
 * moved), and a failing name backs off and says why.
 */
@Timeout(180)
class AcmeIT extends HttpsEdgeTestBase {
  private Pebble pebble;
  private int httpPort;
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  };

  @BeforeEach
  void ca() throws Exception {
    httpPort = LocalPorts.tcp().getPort();
    pebble = Pebble.start(dir.resolve("pebble"), ca, httpPort);
    closers.add(pebble);
  }

  private EdgeNode pop() throws Exception {
    Files.createDirectories(dir.resolve("pop"));
    EdgeNode node = EdgeNode.start(io.edgeproxy.core.config.EdgeConfig.forTest(dir.resolve("pop")).withTls(EdgeTlsConfig.forTest()
        .withDomain("apps.test").withHttpListen(new InetSocketAddress("127.0.0.1", httpPort))
        .withAcme(new AcmeConfig(pebble.directory(), "ops@apps.test", caPem))), clock);
    closers.add(node);
    return node;
  }

  private static AcmeManager.Entry entry(EdgeNode node, String name) {
    return node.acme().status().stream().filter(e -> e.hostname().equals(name)).findFirst().orElse(null);
  }

  private static Map<String, Object> certificateRow(EdgeNode node, String name) throws Exception {
    String out = run("sqlite3", "-separator", "|", node.config().node().dbPath().toString(),
        "SELECT source, not_after_ms, substr(key_sealed, 1, 3), length(chain_pem) FROM certificates WHERE hostname = '" + name + "'").out().trim();
    if (out.isEmpty()) {
      return Map.of();
    }
    String[] f = out.split("\\|");
    return Map.of("source", f[0], "not_after_ms", Long.parseLong(f[1]), "key", f[2], "chain", f[3]);
  }

  private static String chainOf(EdgeNode node, String name) throws Exception {
    return run("sqlite3", node.config().node().dbPath().toString(), "SELECT chain_pem FROM certificates WHERE hostname = '"
        + name + "'").out();
  }

  @Test
  void aNameUnderTheDomainGetsACertificateCurlTrustsAndItIsRenewedBeforeExpiry() throws Exception {
    EdgeNode node = pop();
    int port = node.edgeAddress().getPort();
    sql(node, "INSERT INTO apps (name, protocol) VALUES ('web', 'http')");
    sql(node, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('web-1', 'web', 'sa', '127.0.0.1', "
        + httpBackend("web-backend") + ")");
    node.acme().soon();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(entry(node, "web.apps.test")).extracting(AcmeManager.Entry::state).isEqualTo("valid"));
    Map<String, Object> first = certificateRow(node, "web.apps.test");
    assertThat(first).containsEntry("source", "acme").containsEntry("key", "v1:");

    Path root = dir.resolve("pebble-root.pem");
    Files.writeString(root, pebble.root(caPem));
    String served = run("curl", "-sS", "--max-time", "10", "--cacert", root.toString(), "--resolve",
        "web.apps.test:" + port + ":127.0.0.1", "https://web.apps.test:" + port + "/").out();
    assertThat(served).isEqualTo("web-backend\n");
    assertThat(run("sqlite3", node.config().node().dbPath().toString(), "SELECT count(*) FROM acme_challenges").out().trim())
        .as("answers are withdrawn once used").isEqualTo("0");

    // 29 days before expiry: inside the renewal window of 30 days.
    long notAfter = (Long) first.get("not_after_ms");
    now.set(Instant.ofEpochMilli(notAfter).minus(Duration.ofDays(29)));
    node.acme().soon();
    String chain = chainOf(node, "web.apps.test");
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(chainOf(node, "web.apps.test")).isNotEqualTo(chain));
    now.set(Instant.now()); // pebble dates its certificates by the real clock
    assertThat(run("curl", "-sS", "--max-time", "10", "--cacert", root.toString(), "--resolve",
        "web.apps.test:" + port + ":127.0.0.1", "https://web.apps.test:" + port + "/").out()).isEqualTo("web-backend\n");
  }

  @Test
  void aNameTheCaCannotValidateBacksOffAndSaysWhy() throws Exception {
    pebble.resolve("broken.apps.test", "127.0.0.9"); // nothing answers HTTP there
    EdgeNode node = pop();
    sql(node, "INSERT INTO apps (name, protocol) VALUES ('broken', 'http')");
    node.acme().soon();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(entry(node, "broken.apps.test")).extracting(AcmeManager.Entry::state).isEqualTo("failed"));
    AcmeManager.Entry failed = entry(node, "broken.apps.test");
    assertThat(failed.failures()).isEqualTo(1);
    assertThat(failed.lastError()).contains("http-01");
    assertThat(failed.nextTry()).isAfter(now.get().plus(Duration.ofSeconds(50)));
    assertThat(run("sqlite3", node.config().node().dbPath().toString(),
        "SELECT failures, next_try_ms > 0, last_error IS NOT NULL FROM acme_orders WHERE hostname = 'broken.apps.test'").out().trim())
        .isEqualTo("1|1|1");
    node.acme().soon(); // inside the back-off: no new order
    Thread.sleep(500);
    assertThat(entry(node, "broken.apps.test")).extracting(AcmeManager.Entry::state, AcmeManager.Entry::failures)
        .containsExactly("failed", 1);
    assertThat(node.acme().failuresTotal()).isEqualTo(1);
    java.io.StringWriter out = new java.io.StringWriter();
    io.edgeproxy.tools.cli.Cli.run(Map.of(), new java.io.PrintWriter(out), new java.io.PrintWriter(new java.io.StringWriter()),
        "status", "--admin", hostPort(node.adminAddress()));
    assertThat(out.toString()).contains("acme        broken.apps.test: failed, 1 failures in a row, last: http-01 for broken.apps.test"
        + " is INVALID").contains(", next try 20");
    assertThat(run("curl", "-sS", "http://" + hostPort(node.adminAddress()) + "/metrics").out())
        .containsPattern("edge_acme_failures_total\\{region=\"[a-z]+\"} 1\\.0");
    now.set(failed.nextTry().plusSeconds(1)); // the back-off over: ordered again, failing again, waiting twice as long
    node.acme().soon();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(entry(node, "broken.apps.test").failures()).isEqualTo(2));
    assertThat(Duration.between(now.get(), entry(node, "broken.apps.test").nextTry())).isGreaterThan(Duration.ofSeconds(110));
    assertThat(certificateRow(node, "broken.apps.test")).isEmpty();
  }

  @Test
  void aLeaseHeldByAnotherPopIsRespectedUntilItEnds() throws Exception {
    EdgeNode node = pop();
    long until = now.get().plus(Duration.ofMinutes(10)).toEpochMilli();
    sql(node, "INSERT INTO acme_orders (hostname, node, lease_until_ms) VALUES ('web.apps.test', 'pop-elsewhere', " + until + ")");
    sql(node, "INSERT INTO apps (name, protocol) VALUES ('web', 'http')");
    node.acme().soon();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(entry(node, "web.apps.test")).extracting(AcmeManager.Entry::state).isEqualTo("being ordered by pop-elsewhere"));
    assertThat(certificateRow(node, "web.apps.test")).isEmpty();
    now.set(Instant.ofEpochMilli(until + 1)); // the other POP never finished: its lease ran out
    node.acme().soon();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(entry(node, "web.apps.test")).extracting(AcmeManager.Entry::state).isEqualTo("valid"));
  }

  @Test
  void aPopOrdersWhileTheCaValidatesAtAnotherAndBothServeTheCertificate() throws Exception {
    try (EdgeCluster cluster = EdgeCluster.start(dir.resolve("cluster"), 1, c -> c.withTls(EdgeTlsConfig.forTest()
        .withDomain("apps.test").withHttpListen(new InetSocketAddress("127.0.0.1", httpPort))))) {
      EdgeNode validated = cluster.node(0); // the CA's HTTP-01 requests go to this POP's plain listener only
      EdgeNode ordering = cluster.add(c -> c.withTls(EdgeTlsConfig.forTest().withDomain("apps.test")
          .withHttpListen(new InetSocketAddress("127.0.0.1", 0)).withAcme(new AcmeConfig(pebble.directory(), null, caPem))));
      cluster.awaitMembers();
      sql(validated, "INSERT INTO apps (name, protocol) VALUES ('web', 'http')");
      sql(validated, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('web-1', 'web', 'sa', '127.0.0.1', "
          + httpBackend("web-backend") + ")");
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(entry(ordering, "web.apps.test")).extracting(AcmeManager.Entry::state).isEqualTo("valid"));
      Path root = dir.resolve("pebble-root.pem");
      Files.writeString(root, pebble.root(caPem));
      for (EdgeNode pop : java.util.List.of(validated, ordering)) {
        int port = pop.edgeAddress().getPort();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(run("curl", "-sS", "--max-time", "10", "--cacert",
            root.toString(), "--resolve", "web.apps.test:" + port + ":127.0.0.1", "https://web.apps.test:" + port + "/").out())
            .isEqualTo("web-backend\n"));
      }
    }
  }
}
