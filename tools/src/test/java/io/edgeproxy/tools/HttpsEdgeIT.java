package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.config.EdgeTlsConfig;
import io.edgeproxy.core.testing.LocalPorts;
import io.edgeproxy.replication.tls.ClusterPki;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.tools.cli.Cli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;


/**
 * The HTTPS edge on real sockets, driven by curl and openssl as users would: one address for
 * several apps routed by server name (exact rows, EDGEPROXY_DOMAIN, wildcard rows), TLS ended here
 * with certificates from the directory and the replicated table (replaced while connections run,
 * added on another POP), both TLS providers with session resumption (across POPs too), SNI
 * passthrough to a backend's own TLS, 421 for names no app is served at, and 308 from plain HTTP.
 * Hostile input: {@link HttpsEdgeAbuseIT}.
 */
@Timeout(180)
class HttpsEdgeIT extends HttpsEdgeTestBase {
  @Test
  void severalAppsOnOneAddressByExactNameDomainAndWildcardWithHttp1AndHttp2Clients() throws Exception {
    EdgeNode node = popWithApps();
    int port = node.edgeAddress().getPort();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(curl(port, "api.example.test")).isEqualTo("api-backend"));
    assertThat(curl(port, "web.apps.test", "--http1.1")).isEqualTo("web-backend");
    assertThat(curl(port, "WEB.Apps.Test", "--http2")).isEqualTo("web-backend");
    assertThat(curl(port, "x.wild.test")).isEqualTo("wild-backend");
    // The wildcard covers one label only; a domain name for no known app is unknown.
    assertThat(curl(port, "a.b.wild.test", "-k", "-o", "/dev/null", "-w", "%{http_code}")).isEqualTo("421");
    assertThat(curl(port, "nothing.apps.test", "-k")).startsWith("421 Misdirected Request: no app is served at nothing.apps.test");
    // Each name got its own certificate: the table's for the exact row, the directory's for the rest.
    assertThat(run("sh", "-c", "openssl s_client -connect 127.0.0.1:" + port + " -servername api.example.test </dev/null 2>/dev/null"
        + " | openssl x509 -noout -subject").out()).contains("CN = api.example.test");
    assertThat(run("sh", "-c", "openssl s_client -connect 127.0.0.1:" + port + " -servername q.wild.test </dev/null 2>/dev/null"
        + " | openssl x509 -noout -subject").out()).contains("CN = *.wild.test");
    // TLS 1.1 is refused.
    assertThat(run("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername", "api.example.test", "-tls1_1").exit())
        .isNotZero();
    assertThat(node.proxy().edgeStats().terminatedTotal()).isGreaterThanOrEqualTo(4);
  }

  /** Whether a session saved from a handshake with {@code first} is resumed by {@code second} (openssl s_client). */
  private String resumes(int first, int second, String host, String... tls) throws Exception {
    Path session = Files.createTempFile(dir, "session", ".pem");
    String flags = String.join(" ", tls);
    // The request makes the backend answer, and OpenSSL sends its TLS 1.3 ticket with the first write.
    run("sh", "-c", "(printf 'GET / HTTP/1.0\\r\\nHost: " + host + "\\r\\n\\r\\n'; sleep 1) | openssl s_client " + flags
        + " -connect 127.0.0.1:" + first + " -servername " + host + " -sess_out " + session + " >/dev/null 2>&1");
    return run("sh", "-c", "echo | openssl s_client " + flags + " -connect 127.0.0.1:" + second + " -servername " + host
        + " -sess_in " + session + " 2>/dev/null | grep -E '^(New|Reused),'").out().trim();
  }

  @ParameterizedTest
  @EnumSource(value = EdgeTlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
  void bothTlsProvidersTerminateAndResumeSessions(EdgeTlsConfig.Provider provider) throws Exception {
    EdgeNode node = startNode(dir.resolve("pop"), c -> c.withTls(EdgeTlsConfig.forTest().withProvider(provider)));
    sql(node, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('api-1', 'api', 'sa', '127.0.0.1', "
        + httpBackend("api-backend") + ")");
    sql(node, "INSERT INTO hostnames (hostname, app) VALUES ('api.example.test', 'api')");
    tlsAdd(node, "api.example.test", issue(dir.resolve("table"), "api", "api.example.test"));
    int port = node.edgeAddress().getPort();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(curl(port, "api.example.test")).isEqualTo("api-backend"));
    assertThat(resumes(port, port, "api.example.test", "-tls1_3")).startsWith("Reused, TLSv1.3");
    assertThat(resumes(port, port, "api.example.test", "-tls1_2")).startsWith("Reused, TLSv1.2");
  }

  @Test
  void aSessionFromOnePopResumesAtAnotherOfTheCluster() throws Exception {
    try (EdgeCluster cluster = EdgeCluster.start(dir.resolve("cluster"), 2,
        c -> c.withTls(EdgeTlsConfig.forTest().withProvider(EdgeTlsConfig.Provider.OPENSSL)))) {
      int backend = httpBackend("api-backend");
      sql(cluster.node(0), "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('api-1', 'api', 'sa', '127.0.0.1', " + backend + ")");
      sql(cluster.node(0), "INSERT INTO hostnames (hostname, app) VALUES ('api.example.test', 'api')");
      tlsAdd(cluster.node(0), "api.example.test", issue(dir.resolve("table"), "api", "api.example.test"),
          Map.of("EDGEPROXY_REPLICATION_ENABLED", "true", "EDGEPROXY_REPLICATION_TLS_DIR", cluster.tls.toString()));
      int first = cluster.node(0).edgeAddress().getPort();
      int second = cluster.node(1).edgeAddress().getPort();
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(curl(second, "api.example.test")).isEqualTo("api-backend"));
      // The ticket keys derive from the cluster key, the same on both POPs.
      assertThat(resumes(first, second, "api.example.test", "-tls1_3")).startsWith("Reused, TLSv1.3");
    }
  }

  @Test
  void plainHttpRedirectsToHttpsWith308AndNothingElseGetsThrough() throws Exception {
    EdgeNode node = popWithApps();
    int http = node.httpAddress().getPort();
    int https = node.edgeAddress().getPort();
    assertThat(run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "-H", "Host: web.apps.test",
        "http://127.0.0.1:" + http + "/a/b?c=1").out()).isEqualTo("308 https://web.apps.test:" + https + "/a/b?c=1");
    // Followed, the redirect lands on the HTTPS edge and the app (curl keeps the method and body on a 308).
    assertThat(run("curl", "-sS", "-L", "--cacert", caPem.toString(), "--resolve", "web.apps.test:" + http + ":127.0.0.1",
        "--resolve", "web.apps.test:" + https + ":127.0.0.1", "http://web.apps.test:" + http + "/").out().trim()).isEqualTo("web-backend");
    assertThat(run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-d", "x=1", "-H", "Host: api.example.test:80",
        "http://127.0.0.1:" + http + "/submit").out()).isEqualTo("308");
    assertThat(run("curl", "-sS", "-H", "Host: nothing.apps.test", "http://127.0.0.1:" + http + "/").out())
        .startsWith("421 Misdirected Request: no app is served at nothing.apps.test");
    // Malformed: no Host on HTTP/1.1, a Host that is no name, a header over the limit.
    assertThat(rawHttp(http, "GET / HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400 ").contains("no Host header");
    assertThat(rawHttp(http, "GET / HTTP/1.1\r\nHost: a b\r\n\r\n")).startsWith("HTTP/1.1 400 ");
    assertThat(rawHttp(http, "GET / HTTP/1.1\r\nHost: web.apps.test\r\nX-Big: " + "y".repeat(40_000) + "\r\n\r\n"))
        .startsWith("HTTP/1.1 400 ");
    // Keep-alive: two requests on one connection.
    assertThat(rawHttp(http, "GET /1 HTTP/1.1\r\nHost: web.apps.test\r\n\r\nGET /2 HTTP/1.1\r\nHost: web.apps.test\r\n"
        + "Connection: close\r\n\r\n")).contains("/1\r\n").contains("/2\r\n");
  }

  /** Sends {@code request} as is and returns everything the server sends until it closes. */
  private static String rawHttp(int port, String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void aPassthroughNameReachesTheBackendsOwnTlsUntouched() throws Exception {
    EdgeNode node = popWithApps();
    // The backend is openssl s_server with its own certificate (not issued by our CA).
    Path own = dir.resolve("own");
    Files.createDirectories(own);
    ClusterPki.Identity backendId = ClusterPki.selfSigned(List.of("pt.example.test"), Duration.ofDays(1));
    Files.writeString(own.resolve("pt.crt"), ClusterPki.pem(backendId.certificate()));
    Files.writeString(own.resolve("pt.key"), ClusterPki.pem(backendId.key()));
    int backendPort = LocalPorts.tcp().getPort();
    Process server = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + backendPort, "-cert",
        own.resolve("pt.crt").toString(), "-key", own.resolve("pt.key").toString(), "-www", "-quiet").redirectErrorStream(true)
        .redirectOutput(dir.resolve("s_server.log").toFile()).start();
    closers.add(server::destroyForcibly);
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      try (Socket s = new Socket("127.0.0.1", backendPort)) {
        return true;
      } catch (IOException e) {
        return false;
      }
    });
    sql(node, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('pt-1', 'pt', 'sa', '127.0.0.1', " + backendPort + ")");
    sql(node, "INSERT INTO hostnames (hostname, app, mode) VALUES ('pt.example.test', 'pt', 'passthrough')");
    sql(node, "INSERT INTO apps (name, protocol) VALUES ('pt', 'http')"); // a passthrough row wins over the app's protocol
    int port = node.edgeAddress().getPort();

    String shown = run("sh", "-c", "openssl s_client -connect 127.0.0.1:" + port + " -servername pt.example.test </dev/null 2>/dev/null"
        + " | openssl x509 -noout -fingerprint -sha256").out();
    String expected = run("openssl", "x509", "-in", own.resolve("pt.crt").toString(), "-noout", "-fingerprint", "-sha256").out();
    assertThat(shown.trim()).isEqualTo(expected.trim());
    // curl pinned to the backend's key gets s_server's status page over the backend's TLS.
    Commands.Run page = run("curl", "-sS", "--max-time", "10", "-k", "--pinnedpubkey", io.edgeproxy.tools.tls.TlsContexts.pin(backendId.certificate()),
        "--resolve", "pt.example.test:" + port + ":127.0.0.1", "https://pt.example.test:" + port + "/");
    assertThat(page.out()).contains("s_server");
    assertThat(node.proxy().edgeStats().passthroughTotal()).isEqualTo(2);
  }

  @Test
  void aCertificateReplacedInTheTableServesNewHandshakesWhileOpenConnectionsKeepTheirs() throws Exception {
    EdgeNode node = popWithApps();
    int port = node.edgeAddress().getPort();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(curl(port, "api.example.test")).isEqualTo("api-backend"));
    try (SSLSocket open = tlsClient(port, "api.example.test")) {
      BufferedReader in = new BufferedReader(new InputStreamReader(open.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(request(open, in)).isEqualTo("api-backend");
      X509Certificate before = (X509Certificate) open.getSession().getPeerCertificates()[0];

      tlsAdd(node, "api.example.test", issue(dir.resolve("table2"), "api", "api.example.test"));
      await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> {
        try (SSLSocket fresh = tlsClient(port, "api.example.test")) {
          fresh.startHandshake();
          assertThat(((X509Certificate) fresh.getSession().getPeerCertificates()[0]).getSerialNumber())
              .isNotEqualTo(before.getSerialNumber());
        }
      });
      assertThat(request(open, in)).as("the open connection goes on").isEqualTo("api-backend");
    }
    // Removed: the name falls back to the default (self-signed) certificate, which curl refuses.
    StringWriter err = new StringWriter();
    assertThat(Cli.run(Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err), "tls", "remove", "api.example.test",
        "--db", node.config().node().dbPath().toString(), "--admin", hostPort(node.adminAddress()))).isZero();
    assertThat(run("curl", "-sS", "--max-time", "10", "--cacert", caPem.toString(), "--resolve",
        "api.example.test:" + port + ":127.0.0.1", "https://api.example.test:" + port + "/").exit()).isEqualTo(60);
  }

  @Test
  void aCertificateAddedOnOnePopIsServedByTheOther() throws Exception {
    try (EdgeCluster cluster = EdgeCluster.start(dir.resolve("cluster"), 2,
        c -> c.withTls(EdgeTlsConfig.forTest()))) {
      int backend = httpBackend("api-backend");
      sql(cluster.node(0), "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('api-1', 'api', 'sa', '127.0.0.1', " + backend + ")");
      sql(cluster.node(0), "INSERT INTO hostnames (hostname, app) VALUES ('api.example.test', 'api')");
      Path crt = issue(dir.resolve("table"), "api", "api.example.test");
      // Run without the agent's environment, the command would seal with a local key no POP has: refused.
      Commands.Run wrongSeal = tlsAddRun(cluster.node(0), "api.example.test", crt, Map.of());
      assertThat(wrongSeal.exit()).isEqualTo(1);
      assertThat(wrongSeal.out()).contains("seals keys with a different key").contains("Run it with the agent's environment");
      String status = run("curl", "-sS", "http://" + hostPort(cluster.node(0).adminAddress()) + "/v1/status").out();
      assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(status).path("https").path("sealSource").asText())
          .isEqualTo("the cluster key");
      tlsAdd(cluster.node(0), "api.example.test", crt,
          Map.of("EDGEPROXY_REPLICATION_ENABLED", "true", "EDGEPROXY_REPLICATION_TLS_DIR", cluster.tls.toString()));
      int otherPort = cluster.node(1).edgeAddress().getPort();
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(curl(otherPort, "api.example.test")).isEqualTo("api-backend"));
      // The row holds the key sealed, never in clear.
      try (RoutingDb db = RoutingDb.open(cluster.db(1))) {
        String dump = run("sqlite3", cluster.db(1).toString(), "SELECT key_sealed FROM certificates").out();
        assertThat(dump).startsWith("v1:").doesNotContain("PRIVATE KEY");
      }
    }
  }

}
