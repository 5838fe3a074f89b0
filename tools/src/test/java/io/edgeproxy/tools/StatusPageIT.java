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
    EdgeConfig base = EdgeConfig.forTest(dir).withApi(ApiConfig.forTest()).withTls(EdgeTlsConfig.forTest()
        .withDefaultCertificate(new TlsFiles(crt, key)).withTunnels(new InetSocketAddress("127.0.0.1", 0)).withDomain("apps.test"));
    EdgeConfig config = base.withProxy(base.proxy().withListeners(List.of(
        new io.edgeproxy.core.config.ListenerConfig("echo", new InetSocketAddress("127.0.0.1", 0)))));
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
      node.db().write("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('echo-1', 'echo', 'sa', '127.0.0.1', "
          + app.address().getPort() + ")");
      node.reloadNow();
      node.history().sample(System.currentTimeMillis());
      java.net.Socket open = new java.net.Socket();
      for (int i = 0; i < 3; i++) { // three echoed connections; the last stays open
        java.net.Socket s = i == 2 ? open : new java.net.Socket();
        s.connect(node.proxyAddresses().getFirst(), 2_000);
        s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(s.getInputStream().readNBytes(5)).isEqualTo("ping\n".getBytes(StandardCharsets.US_ASCII));
        if (i < 2) {
          s.close();
        }
      }
      Thread.sleep(1_100);
      node.history().sample(System.currentTimeMillis());
      node.db().write("UPDATE backends SET healthy = 0 WHERE id = 'web-sa-1'");
      node.reloadNow();
      Thread.sleep(1_100);
      node.history().sample(System.currentTimeMillis());
      node.db().write("UPDATE backends SET healthy = 1 WHERE id = 'web-sa-1'");
      node.reloadNow();
      node.history().sample(System.currentTimeMillis());
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
      assertThat(dom).contains("5 backends, 4 healthy"); // the tunnel is a backend of its app
      assertThat(dom).contains("sa (this POP)");
      assertThat(dom).contains("<div id=\"error\"></div>");
      assertThat(dom).contains("Device tunnels").contains("<td>laptop-7</td>").contains("<td>sa (this POP)</td>").contains("<td>quic</td>");
      assertThat(dom).contains("Edge cache").contains("1 entries").contains("no disk tier")
          .contains("<td>site</td><td>1</td><td>1</td><td>50.0 %</td>").contains("<td>5 B</td>");

      // The charts: uPlot drew them (canvases), over the samples taken, with the traffic and the health change.
      assertThat(dom).contains("Last 15 minutes").contains("<canvas");
      assertThat(attribute(dom, "chart-app-active", "data-series")).contains("echo").contains("web").contains("site");
      assertThat(Integer.parseInt(attribute(dom, "chart-app-active", "data-points"))).isGreaterThanOrEqualTo(4);
      assertThat(Integer.parseInt(attribute(dom, "chart-backend-active", "data-marks"))).isEqualTo(2);
      assertThat(attribute(dom, "chart-backend-new", "data-series")).contains("echo-1");
      assertThat(dom).contains("web-sa-1 (web) out of routing").contains("web-sa-1 (web) back in routing");
      assertThat(dom).contains("<h2>Cluster</h2>");
      String json = new String(java.net.URI.create("http://127.0.0.1:" + node.apiAddress().getPort() + "/api/v1/history").toURL()
          .openConnection() instanceof java.net.HttpURLConnection c ? withToken(c, token) : new byte[0], StandardCharsets.UTF_8);
      var history = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
      var echo = java.util.stream.StreamSupport.stream(history.path("apps").spliterator(), false)
          .filter(a -> a.path("app").asText().equals("echo")).findFirst().orElseThrow();
      assertThat(echo.path("active").get(echo.path("active").size() - 1).asDouble()).as("the open connection").isEqualTo(1);
      double newPerSec = 0;
      for (var v : echo.path("newPerSec")) {
        newPerSec = Math.max(newPerSec, v.asDouble());
      }
      assertThat(newPerSec).as("3 connections in a second or so").isGreaterThan(1);
      open.close();

      String refused = chromium(List.of("--dump-dom", "http://127.0.0.1:" + node.apiAddress().getPort() + "/ui#token=wrong"));
      assertThat(refused).contains("<div id=\"error\">the token was refused</div>").doesNotContain("<td>web-sa-1</td>");

      Path shot = Path.of("target", "status-page.png").toAbsolutePath();
      chromium(List.of("--screenshot=" + shot, "--window-size=1200,1500", url));
      assertThat(shot).exists();
      assertThat(Files.size(shot)).isGreaterThan(5_000);
    }
  }

  /** The value of {@code name} on the element with id {@code id} in a dumped DOM. */
  private static String attribute(String dom, String id, String name) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("<div[^>]*id=\"" + id + "\"[^>]*>").matcher(dom);
    assertThat(m.find()).as("element %s", id).isTrue();
    java.util.regex.Matcher a = java.util.regex.Pattern.compile(name + "=\"([^\"]*)\"").matcher(m.group());
    assertThat(a.find()).as("%s of %s in %s", name, id, m.group()).isTrue();
    return a.group(1);
  }

  private static byte[] withToken(java.net.HttpURLConnection c, String token) throws java.io.IOException {
    c.setRequestProperty("Authorization", "Bearer " + token);
    try (var in = c.getInputStream()) {
      return in.readAllBytes();
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
