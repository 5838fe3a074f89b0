package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.config.EdgeTlsConfig;
import io.edgeproxy.core.config.ListenerConfig;
import io.edgeproxy.core.config.TlsFiles;
import io.edgeproxy.core.testing.net.TcpEchoServer;
import io.edgeproxy.sql.ApiTokens;
import io.edgeproxy.tunnel.TunnelAgent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Any POP reaches any tunnel: two POPs replicating, an agent with a tunnel to POP 1 only, and
 * clients of POP 0, whose connections POP 0 relays to POP 1 over their mutual-TLS link.
 */
class TunnelRelayIT extends HttpsEdgeTestBase {
  private EdgeCluster cluster;

  @BeforeEach
  void twoPops() throws Exception {
    Path certs = dir.resolve("certs");
    Path crt = issue(certs, "edge", "localhost");
    cluster = EdgeCluster.start(dir.resolve("cluster"), 2, c -> c
        .withProxy(c.proxy().withListeners(List.of(new ListenerConfig("dev", new InetSocketAddress("127.0.0.1", 0)))))
        .withTls(EdgeTlsConfig.forTest().withDefaultCertificate(new TlsFiles(crt, certs.resolve("edge.key")))
            .withTunnels(new InetSocketAddress("127.0.0.1", 0))));
    closers.add(cluster);
  }

  /** An agent serving {@code app} from {@code target} with one tunnel, to POP 1 only. */
  private TunnelAgent agentAtPop1(String app, int target) {
    EdgeNode holder = cluster.node(1);
    String token = new ApiTokens(holder.db()).create(app, "relay test", System.currentTimeMillis());
    TunnelAgent agent = TunnelAgent.start(new TunnelAgent.Settings(app, "agent-" + app, token,
        new InetSocketAddress(InetAddress.getLoopbackAddress(), target), List.of("localhost:" + holder.tunnels().address().getPort()),
        List.of(ca.certificate()), 1, 3_000, 500, 64));
    closers.add(agent);
    return agent;
  }

  private boolean routesAtPop0(String app) {
    var routes = cluster.node(0).state().current().routesFor(app);
    return routes != null && routes.all().stream().anyMatch(c -> c.backend().isTunnel() && c.backend().healthy());
  }

  @Test
  void aPopWithoutTheTunnelRelaysToThePopHoldingItByteExactWithHalfClose() throws Exception {
    TcpEchoServer echo = TcpEchoServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    closers.add(echo);
    agentAtPop1("dev", echo.address().getPort());
    await().atMost(Duration.ofSeconds(15)).until(() -> routesAtPop0("dev"));
    assertThat(cluster.node(0).tunnels().tunnels()).isEmpty(); // POP 0 holds nothing: every byte goes through POP 1

    byte[] sent = new byte[256 * 1024];
    new Random(11).nextBytes(sent);
    for (int i = 0; i < 3; i++) {
      assertThat(TcpEchoServer.roundTrip(cluster.node(0).proxyAddresses().get(0), sent)).isEqualTo(sent);
    }
    assertThat(cluster.node(1).tunnels().tunnels().getFirst().streamsOpened()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void tunnelsAreListedMeasuredAndExplainedOnEveryPop() throws Exception {
    TcpEchoServer echo = TcpEchoServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    closers.add(echo);
    agentAtPop1("dev", echo.address().getPort());
    await().atMost(Duration.ofSeconds(15)).until(() -> routesAtPop0("dev"));
    assertThat(TcpEchoServer.roundTrip(cluster.node(1).proxyAddresses().get(0), "x".getBytes(java.nio.charset.StandardCharsets.US_ASCII))).hasSize(1);
    String id = cluster.node(1).tunnels().tunnels().getFirst().id();

    String atHolder = cli("tunnel", "list", "--admin", hostPort(cluster.node(1).adminAddress()));
    assertThat(atHolder).contains(id).contains("agent-dev").contains("pop-1 (here)").contains("0 open, 1 total");
    String elsewhere = cli("tunnel", "list", "--admin", hostPort(cluster.node(0).adminAddress()));
    assertThat(elsewhere).contains(id).contains("pop-1").doesNotContain("(here)");
    var json = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(cli("tunnel", "list", "--json", "--admin", hostPort(cluster.node(1).adminAddress())));
    assertThat(json.get(0).path("held").asBoolean()).isTrue();
    assertThat(json.get(0).path("rttMs").asDouble()).isPositive();

    String metrics = cluster.node(1).metrics().scrape();
    assertThat(metrics).contains("edge_tunnels_held{").contains("edge_tunnel_streams_open{").contains("tunnel=\"" + id + "\"")
        .contains("edge_tunnel_sent_bytes_total{");
    assertThat(cli("route", "explain", "--app", "dev", "--ip", "200.160.2.3", "--admin", hostPort(cluster.node(0).adminAddress())))
        .contains("tunnel via pop-1");
  }

  private static String cli(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int exit = io.edgeproxy.tools.cli.Cli.run(java.util.Map.of(), new java.io.PrintWriter(out), new java.io.PrintWriter(err), args);
    assertThat(exit).as("%s%s", out, err).isZero();
    return out.toString();
  }

  @Test
  void whatTheAppSendsFirstArrivesThroughTheRelay() throws Exception {
    try (TestSockets sockets = new TestSockets()) {
      agentAtPop1("dev", sockets.namedBackend("banner-app"));
      await().atMost(Duration.ofSeconds(15)).until(() -> routesAtPop0("dev"));
      for (int i = 0; i < 5; i++) {
        assertThat(TestSockets.ask(cluster.node(0).proxyAddresses().get(0))).isEqualTo("banner-app");
      }
    }
  }

  @Test
  void anAppInHttpModeIsServedThroughTheRelay() throws Exception {
    int device = httpBackend("device");
    sql(cluster.node(0), "INSERT INTO apps (name, protocol) VALUES ('web', 'http')");
    sql(cluster.node(0), "INSERT INTO hostnames (hostname, app) VALUES ('localhost', 'web')");
    agentAtPop1("web", device);
    await().atMost(Duration.ofSeconds(15)).until(() -> routesAtPop0("web")
        && cluster.node(1).state().current().settingsOf("web").protocol() == io.edgeproxy.core.routing.AppSettings.Protocol.HTTP);
    int port = cluster.node(0).edgeAddress().getPort();
    assertThat(curl(port, "localhost", "--http2")).isEqualTo("device");
    assertThat(curl(port, "localhost", "--http1.1")).isEqualTo("device");
  }

}
