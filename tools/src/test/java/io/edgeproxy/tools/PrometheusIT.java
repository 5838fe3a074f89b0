package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeproxy.core.config.ApiConfig;
import io.edgeproxy.core.config.DnsConfig;
import io.edgeproxy.core.config.EdgeTlsConfig;
import io.edgeproxy.core.config.ListenerConfig;
import io.edgeproxy.core.config.TlsFiles;
import io.edgeproxy.core.geo.SocketAddresses;
import io.edgeproxy.core.testing.LocalPorts;
import io.edgeproxy.core.testing.net.TcpEchoServer;
import io.edgeproxy.replication.tls.ClusterPki;
import io.edgeproxy.sql.ApiTokens;
import io.edgeproxy.tunnel.TunnelAgent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prometheus as a real client of two replicated nodes (Debian's {@code prometheus} and
 * {@code promtool}, installed by .ci/run). The nodes run the proxy with an active health check
 * (one backend refusing), the HTTPS edge with the cache and a certificate 5 days from expiry, DNS
 * and a device tunnel. {@code promtool check metrics} passes on their /metrics; Prometheus scrapes
 * them and answers for their series; the shipped alert rules (docs/prometheus, loaded with every
 * {@code for:} cut to 2 s, the only change) fire for what is wrong and for nothing else, and when a
 * node stops; every PromQL expression of the Grafana dashboard (docs/grafana) evaluates to data.
 */
@Timeout(180)
class PrometheusIT {
  private static final Path RULES = Path.of("..", "docs", "prometheus", "edgeproxy-alerts.yml").toAbsolutePath().normalize();
  private static final Path RULE_TESTS = RULES.resolveSibling("edgeproxy-alerts.test.yml");
  private static final Path DASHBOARD = Path.of("..", "docs", "grafana", "edgeproxy.json").toAbsolutePath().normalize();
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private final ClusterPki.Identity edge = ClusterPki.selfSigned(List.of("localhost", "*.apps.test"), Duration.ofDays(90));

  @Test
  void prometheusScrapesTheNodesItsAlertsFireForWhatIsWrongAndEveryDashboardQueryEvaluates() throws Exception {
    assertPromtool("check", "rules", RULES.toString());
    assertPromtool("test", "rules", RULE_TESTS.toString());
    try (TestSockets sockets = new TestSockets(); EdgeCluster cluster = startCluster()) {
      EdgeNode pop = cluster.node(0);
      makeTraffic(cluster, sockets);
      for (int i = 0; i < 2; i++) {
        Path text = Files.writeString(dir.resolve("node-" + i + ".metrics"), cluster.node(i).metrics().scrape());
        assertPromtool(text, "check", "metrics");
      }
      List<String> targets = List.of(SocketAddresses.format(pop.adminAddress()), SocketAddresses.format(cluster.node(1).adminAddress()));
      try (PrometheusServer prometheus = PrometheusServer.start(dir.resolve("prometheus"), targets, List.of(rulesWithShortFor()))) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(prometheus.vector("up{job=\"edgeproxy\"} == 1")).hasSize(2));
        JsonNode connections = prometheus.vector("edge_proxy_backend_connections_total{backend=\"web-good\", instance=\"" + targets.get(0) + "\"}");
        assertThat(connections).singleElement().satisfies(s -> assertThat(s.path("value").get(1).asDouble()).isGreaterThanOrEqualTo(1));
        assertThat(prometheus.vector("sum(edge_dns_queries_total) >= 1")).hasSize(1);

        assertAlertsFireForWhatIsWrongOnly(prometheus, targets);
        assertEveryDashboardQueryEvaluates(prometheus);

        cluster.node(1).close();
        await().atMost(WAIT).untilAsserted(() -> assertThat(firing(prometheus))
            .contains("EdgeproxyNodeDown instance=" + targets.get(1), "EdgeproxyReplicationPeerDisconnected instance=" + targets.get(0)
                + " peer=pop-1"));
        assertThat(prometheus.log()).doesNotContain("level=error");
      }
    }
  }

  /** Two replicated nodes with every part on; the default certificate has 90 days left, soon.apps.test's 5. */
  private EdgeCluster startCluster() throws Exception {
    Path crt = Files.writeString(dir.resolve("edge.crt"), ClusterPki.pem(edge.certificate()));
    Path key = Files.writeString(dir.resolve("edge.key"), ClusterPki.pem(edge.key()));
    Path certs = Files.createDirectories(dir.resolve("certs"));
    ClusterPki.Identity soon = ClusterPki.selfSigned(List.of("soon.apps.test"), Duration.ofDays(5));
    Files.writeString(certs.resolve("soon.crt"), ClusterPki.pem(soon.certificate()));
    Files.writeString(certs.resolve("soon.key"), ClusterPki.pem(soon.key()));
    return EdgeCluster.start(dir, 2, c -> c.withDns(DnsConfig.forTest()).withApi(ApiConfig.forTest())
        .withProxy(c.proxy().withListeners(List.of(new ListenerConfig("web", new InetSocketAddress("127.0.0.1", 0)))))
        .withTls(EdgeTlsConfig.forTest().withDefaultCertificate(new TlsFiles(crt, key)).withCertificatesDir(certs)
            .withTunnels(new InetSocketAddress("127.0.0.1", 0)).withDomain("apps.test")));
  }

  /**
   * Backends (one refusing, under a TCP health check), a proxied connection, a miss and a hit of
   * the cache, a DNS query, a device tunnel.
   */
  private void makeTraffic(EdgeCluster cluster, TestSockets sockets) throws Exception {
    EdgeNode pop = cluster.node(0);
    String token = new ApiTokens(pop.db()).create(ApiTokens.ADMIN, "prometheus test", System.currentTimeMillis());
    TcpEchoServer device = sockets.later(TcpEchoServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    TunnelAgent agent = sockets.later(TunnelAgent.start(new TunnelAgent.Settings("dev", "laptop-7", token, device.address(),
        List.of("localhost:" + pop.tunnels().address().getPort()), List.of(edge.certificate()), 1, 3_000, 500, 16)));
    int sick = LocalPorts.tcp().getPort();
    TestHttpBackend origin = sockets.later(new TestHttpBackend((request, out, in) -> {
      out.write("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 5\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return true;
    }));
    pop.db().write("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('web-good', 'web', 'sa', '127.0.0.1', "
        + sockets.namedBackend("good") + "), ('web-sick', 'web', 'eu', '127.0.0.1', " + sick + "),"
        + " ('site-1', 'site', 'sa', '127.0.0.1', " + origin.port() + ")");
    pop.db().write("INSERT INTO health_checks (app, type, interval_ms, timeout_ms, rise, fall) VALUES ('web', 'tcp', 200, 500, 1, 1)");
    pop.db().write("INSERT INTO apps (name, protocol, cache) VALUES ('site', 'http', 1)");
    pop.reloadNow();
    await().atMost(WAIT).until(() -> agent.tunnelsUp() == 1 && cluster.node(1).state().current().backends().size() == 4
        && cluster.node(1).healthChecker().backends().size() == 2);
    assertThat(TestSockets.ask(pop.proxyAddresses().get(0))).isEqualTo("good");
    int edge = pop.edgeAddress().getPort();
    for (int i = 0; i < 2; i++) {
      Commands.Run curl = Commands.run("curl", "-sSk", "--max-time", "10", "--resolve", "site.apps.test:" + edge + ":127.0.0.1",
          "https://site.apps.test:" + edge + "/page");
      assertThat(curl.out()).isEqualTo("hello");
    }
    Commands.Run dig = Commands.run(Commands.dig("@127.0.0.1", "-p", String.valueOf(pop.dnsAddress().getPort()), "+time=2", "+tries=1",
        "web.internal", "A"));
    assertThat(dig.out()).contains("status: NOERROR");
  }

  /** The rules as shipped, but every {@code for:} 2 s, so the test need not wait minutes. */
  private Path rulesWithShortFor() throws Exception {
    String rules = Files.readString(RULES);
    String shortened = rules.replaceAll("(?m)^(\\s+)for: \\S+$", "$1for: 2s");
    assertThat(shortened).isNotEqualTo(rules);
    return Files.writeString(dir.resolve("edgeproxy-alerts.yml"), shortened);
  }

  private static void assertAlertsFireForWhatIsWrongOnly(PrometheusServer prometheus, List<String> targets) throws Exception {
    List<String> expected = new ArrayList<>();
    for (String instance : targets) {
      expected.add("EdgeproxyBackendDown app=web backend=web-sick instance=" + instance);
      expected.add("EdgeproxyCertificateExpiresSoon instance=" + instance + " name=soon.apps.test source=directory");
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(firing(prometheus)).containsAll(expected));
    Thread.sleep(3_000); // long enough for anything else pending to fire too
    assertThat(firing(prometheus)).containsExactlyInAnyOrderElementsOf(expected);
    for (JsonNode group : prometheus.get("/api/v1/rules").path("data").path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        assertThat(rule.path("health").asText()).as("%s: %s", rule.path("name"), rule.path("lastError")).isEqualTo("ok");
      }
    }
  }

  /** Firing alerts as "NAME label=value ..." (labels sorted; job and severity left out). */
  private static List<String> firing(PrometheusServer prometheus) throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode alert : prometheus.get("/api/v1/alerts").path("data").path("alerts")) {
      if (!alert.path("state").asText().equals("firing")) {
        continue;
      }
      StringBuilder line = new StringBuilder(alert.path("labels").path("alertname").asText());
      alert.path("labels").fieldNames().forEachRemaining(name -> {
        if (!Set.of("alertname", "job", "severity").contains(name)) {
          line.append(' ').append(name).append('=').append(alert.path("labels").path(name).asText());
        }
      });
      out.add(line.toString());
    }
    return out;
  }

  private static void assertEveryDashboardQueryEvaluates(PrometheusServer prometheus) throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    Map<String, String> values = new HashMap<>();
    for (GrafanaQueries.Variable variable : GrafanaQueries.variables(dashboard)) {
      JsonNode series = prometheus.vector(GrafanaQueries.substitute(variable.promql(), values));
      Set<String> found = new HashSet<>();
      series.forEach(s -> found.add(s.path("metric").path(variable.label()).asText()));
      assertThat(found).as("values of $%s", variable.name()).isNotEmpty();
      values.put(variable.name(), GrafanaQueries.regexOf(List.copyOf(found)));
    }
    assertThat(values).containsKeys("instance", "app");
    List<String> exprs = GrafanaQueries.exprs(dashboard);
    assertThat(exprs).hasSizeGreaterThan(40);
    for (String expr : exprs) {
      String promql = GrafanaQueries.substitute(expr, values);
      assertThat(prometheus.vector(promql)).as("the dashboard's %s, as %s", expr, promql).isNotEmpty();
    }
  }

  private static void assertPromtool(String... args) throws Exception {
    assertPromtool(null, args);
  }

  private static void assertPromtool(Path input, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("promtool"));
    command.addAll(List.of(args));
    Commands.Run run = input == null ? Commands.run(command.toArray(String[]::new)) : Commands.run(input, command.toArray(String[]::new));
    assertThat(run.exit()).as("%s: %s", command, run.out()).isZero();
  }
}
