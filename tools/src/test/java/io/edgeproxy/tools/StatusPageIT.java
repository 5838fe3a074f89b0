package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.config.ApiConfig;
import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.config.EdgeTlsConfig;
import io.edgeproxy.core.config.TlsFiles;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.testing.net.TcpEchoServer;
import io.edgeproxy.replication.tls.ClusterPki;
import io.edgeproxy.sql.ApiTokens;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.tunnel.TunnelAgent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in headless Chromium (Debian {@code chromium}, installed by .ci/run): the page's
 * script reads the token from the URL, fetches /api/v1/status and renders it; the test reads the
 * rendered DOM. It also leaves a screenshot in target/ (docs/status-page.png is one of those).
 */
@Timeout(120)
class StatusPageIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  @TempDir Path dir;

  @Test
  void theStatusPageShowsThePopItsBackendsTheirHealthItsDeviceTunnelsAndItsCache() throws Exception {
    ClusterPki.Identity cert = ClusterPki.selfSigned(List.of("localhost"), Duration.ofDays(1));
    Path crt = Files.writeString(dir.resolve("edge.crt"), ClusterPki.pem(cert.certificate()));
    Path key = Files.writeString(dir.resolve("edge.key"), ClusterPki.pem(cert.key()));
    EdgeConfig config = EdgeConfig.forTest(dir).withApi(ApiConfig.forTest()).withTls(EdgeTlsConfig.forTest()
        .withDefaultCertificate(new TlsFiles(crt, key)).withTunnels(new InetSocketAddress("127.0.0.1", 0)).withDomain("apps.test"));
    String token;
    try (RoutingDb db = RoutingDb.open(config.node().dbPath())) {
      token = new ApiTokens(db).create(ApiTokens.ADMIN, "status page test", System.currentTimeMillis());
      InetAddress lo = InetAddress.getLoopbackAddress();
      db.upsertBackend(new Backend("web-sa-1", "web", "sa", "BR", lo, 9001, true, 2, 100, 150));
      db.upsertBackend(new Backend("web-eu-1", "web", "eu", "DE", lo, 9002, false, 2, 100, 150));
    }
    try (EdgeNode node = EdgeNode.start(config);
        TestHttpBackend origin = new TestHttpBackend((request, out, in) -> {
          out.write("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 5\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII));
          out.flush();
          return true;
        });
        TcpEchoServer app = TcpEchoServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        TunnelAgent agent = TunnelAgent.start(new TunnelAgent.Settings("web", "laptop-7", token, app.address(),
            List.of("localhost:" + node.tunnels().address().getPort()), List.of(cert.certificate()), 1, 3_000, 500, 16))) {
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> agent.tunnelsUp() == 1);
      node.db().write("INSERT INTO apps (name, protocol, cache) VALUES ('site', 'http', 1)");
      node.db().write("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('site-1', 'site', 'sa', '127.0.0.1', "
          + origin.port() + ")");
      node.reloadNow();
      int edge = node.edgeAddress().getPort();
      for (int i = 0; i < 2; i++) { // a miss, then a hit
        Process curl = new ProcessBuilder("curl", "-sSk", "--resolve", "site.apps.test:" + edge + ":127.0.0.1",
            "https://site.apps.test:" + edge + "/page").start();
        assertThat(new String(curl.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello");
        curl.waitFor();
      }
      String url = "http://127.0.0.1:" + node.apiAddress().getPort() + "/ui#token=" + token;
      String dom = chromium(List.of("--dump-dom", url));
      assertThat(dom).contains("POP sa");
      assertThat(dom).contains("<td>web-sa-1</td>").contains("<td>web-eu-1</td>");
      assertThat(dom).contains("<td class=\"good\">healthy</td>").contains("<td class=\"bad\">unhealthy</td>");
      assertThat(dom).contains("4 backends, 3 healthy"); // the tunnel is a backend of its app
      assertThat(dom).contains("sa (this POP)");
      assertThat(dom).contains("<div id=\"error\"></div>");
      assertThat(dom).contains("Device tunnels").contains("<td>laptop-7</td>").contains("<td>sa (this POP)</td>").contains("<td>quic</td>");
      assertThat(dom).contains("Edge cache").contains("1 entries").contains("no disk tier")
          .contains("<td>site</td><td>1</td><td>1</td><td>50.0 %</td>").contains("<td>5 B</td>");

      String refused = chromium(List.of("--dump-dom", "http://127.0.0.1:" + node.apiAddress().getPort() + "/ui#token=wrong"));
      assertThat(refused).contains("<div id=\"error\">the token was refused</div>").doesNotContain("<td>web-sa-1</td>");

      Path shot = Path.of("target", "status-page.png").toAbsolutePath();
      chromium(List.of("--screenshot=" + shot, "--window-size=1100,760", url));
      assertThat(shot).exists();
      assertThat(Files.size(shot)).isGreaterThan(5_000);
    }
  }

  private String chromium(List<String> args) throws Exception {
    List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(dir, "chromium"), "--virtual-time-budget=4000"));
    command.addAll(args);
    Process p = new ProcessBuilder(command).redirectError(dir.resolve("chromium.log").toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out;
  }
}
