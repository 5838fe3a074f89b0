package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.config.EdgeTlsConfig;
import io.edgeproxy.replication.tls.ClusterPki;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.tools.cli.Cli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The HTTPS edge on real sockets, driven by curl and openssl as users would: one address for
 * several apps routed by server name (exact rows, EDGEPROXY_DOMAIN, wildcard rows), TLS ended here
 * with certificates from the directory and the replicated table, SNI passthrough to a backend's
 * own TLS, 421 for names no app is served at, and hostile input that must reach no backend.
 */
@Timeout(180)
class HttpsEdgeIT {
  @TempDir Path dir;
  private final List<AutoCloseable> closers = new ArrayList<>();
  private ClusterPki.Identity ca;
  private Path caPem;
  private final AtomicInteger passthroughAccepts = new AtomicInteger();

  private static Commands.Run run(String... command) throws Exception {
    return Commands.run(command);
  }

  private static Commands.Run run(int seconds, String... command) throws Exception {
    return Commands.run(seconds, command);
  }

  @BeforeEach
  void authority() throws Exception {
    ca = ClusterPki.newCa("edge-test");
    caPem = dir.resolve("ca.pem");
    Files.writeString(caPem, ClusterPki.pem(ca.certificate()));
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closers.size() - 1; i >= 0; i--) {
      closers.get(i).close();
    }
  }

  /** An HTTP/1.1 backend (keep-alive) answering every request with its name. */
  private int httpBackend(String name) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.createContext("/", exchange -> {
      byte[] body = (name + "\n").getBytes(StandardCharsets.US_ASCII);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    closers.add(() -> server.stop(0));
    return server.getAddress().getPort();
  }

  /** An HTTP backend as nginx answers "Connection: close": the answer and its FIN at once, on its own thread per client. */
  private int closingBackend() throws IOException {
    ServerSocket server = new ServerSocket(0, 500, InetAddress.getLoopbackAddress());
    closers.add(server);
    byte[] answer = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: close\r\n\r\napi-backend\n".getBytes(StandardCharsets.US_ASCII);
    Thread.ofVirtual().start(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          Thread.ofVirtual().start(() -> {
            try (s) {
              InputStream in = s.getInputStream();
              int matched = 0;
              while (matched < 4) { // to the end of the request head
                int b = in.read();
                if (b < 0) {
                  return;
                }
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
              }
              s.getOutputStream().write(answer);
            } catch (IOException e) {
              // the client went away
            }
          });
        } catch (IOException e) {
          return;
        }
      }
    });
    return server.getLocalPort();
  }

  /** Writes {@code name}'s certificate (issued by the test CA) and key as PEM files; returns the certificate file. */
  private Path issue(Path where, String fileName, String name) throws IOException {
    ClusterPki.Identity id = ClusterPki.issue(ca, name);
    Files.createDirectories(where);
    Path crt = where.resolve(fileName + ".crt");
    Files.writeString(crt, ClusterPki.pem(id.certificate()) + ClusterPki.pem(ca.certificate()));
    Files.writeString(where.resolve(fileName + ".key"), ClusterPki.pem(id.key()));
    return crt;
  }

  private EdgeNode startNode(Path home, java.util.function.UnaryOperator<EdgeConfig> tweak) throws Exception {
    Files.createDirectories(home);
    EdgeNode node = EdgeNode.start(tweak.apply(EdgeConfig.forTest(home)));
    closers.add(node);
    return node;
  }

  private static void sql(EdgeNode node, String statement) {
    node.db().write(statement);
    node.reloadNow();
  }

  private String curl(int port, String host, String... extra) throws Exception {
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "--cacert", caPem.toString(),
        "--resolve", host + ":" + port + ":127.0.0.1"));
    command.addAll(Arrays.asList(extra));
    command.add("https://" + host + ":" + port + "/");
    return run(command.toArray(String[]::new)).out().trim();
  }

  private int tlsAdd(EdgeNode node, String host, Path crt) {
    return tlsAdd(node, host, crt, Map.of());
  }

  /** {@code edgeproxy tls add} with the agent's environment {@code env} (the seal follows its replication settings). */
  private int tlsAdd(EdgeNode node, String host, Path crt, Map<String, String> env) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Cli.run(env, new PrintWriter(out), new PrintWriter(err), "tls", "add", host, "--cert", crt.toString(),
        "--key", crt.resolveSibling(crt.getFileName().toString().replace(".crt", ".key")).toString(),
        "--db", node.config().node().dbPath().toString(), "--admin", hostPort(node.adminAddress()));
    assertThat(exit).as(out + "\n" + err).isZero();
    return exit;
  }

  private static String hostPort(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }

  /** One POP serving web (by domain), api (exact row, certificate in the table), *.wild.test, and pt (passthrough). */
  private EdgeNode popWithApps() throws Exception {
    Path certs = dir.resolve("certs");
    issue(certs, "apps", "*.apps.test");
    issue(certs, "wild", "*.wild.test");
    EdgeNode node = startNode(dir.resolve("pop"), c -> c.withTls(EdgeTlsConfig.forTest().withDomain("apps.test").withCertificatesDir(certs)));
    sql(node, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES"
        + " ('web-1', 'web', 'sa', '127.0.0.1', " + httpBackend("web-backend") + "),"
        + " ('api-1', 'api', 'sa', '127.0.0.1', " + httpBackend("api-backend") + "),"
        + " ('wild-1', 'wild', 'sa', '127.0.0.1', " + httpBackend("wild-backend") + ")");
    sql(node, "INSERT INTO hostnames (hostname, app, mode) VALUES ('api.example.test', 'api', 'terminate'),"
        + " ('*.wild.test', 'wild', 'terminate')");
    tlsAdd(node, "api.example.test", issue(dir.resolve("table"), "api", "api.example.test"));
    return node;
  }

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
  void aPassthroughNameReachesTheBackendsOwnTlsUntouched() throws Exception {
    EdgeNode node = popWithApps();
    // The backend is openssl s_server with its own certificate (not issued by our CA).
    Path own = dir.resolve("own");
    Files.createDirectories(own);
    ClusterPki.Identity backendId = ClusterPki.selfSigned(List.of("pt.example.test"), Duration.ofDays(1));
    Files.writeString(own.resolve("pt.crt"), ClusterPki.pem(backendId.certificate()));
    Files.writeString(own.resolve("pt.key"), ClusterPki.pem(backendId.key()));
    int backendPort;
    try (ServerSocket probe = new ServerSocket(0)) {
      backendPort = probe.getLocalPort();
    }
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
      tlsAdd(cluster.node(0), "api.example.test", issue(dir.resolve("table"), "api", "api.example.test"),
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

  @Test
  void garbageTruncatedAndMutatedClientHellosAreClosedAndReachNoBackend() throws Exception {
    EdgeNode node = popWithApps();
    ServerSocket counting = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    closers.add(counting);
    Thread.ofVirtual().start(() -> {
      while (!counting.isClosed()) {
        try (Socket s = counting.accept()) {
          passthroughAccepts.incrementAndGet();
        } catch (IOException e) {
          return;
        }
      }
    });
    sql(node, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('pt-1', 'pt', 'sa', '127.0.0.1', " + counting.getLocalPort() + ")");
    sql(node, "INSERT INTO hostnames (hostname, app, mode) VALUES ('pt.example.test', 'pt', 'passthrough')");
    InetSocketAddress edge = node.edgeAddress();
    byte[] passthroughHello = clientHello("pt.example.test");
    byte[] terminateHello = clientHello("api.example.test");
    Random random = new Random(20261205);
    int cases = 10_000;
    for (int i = 0; i < cases; i++) {
      byte[] bytes = switch (i % 3) {
        case 0 -> Arrays.copyOf(passthroughHello, random.nextInt(passthroughHello.length)); // truncated: never complete
        case 1 -> { // the terminated name's hello with bytes flipped: no handshake can finish
          byte[] b = terminateHello.clone();
          for (int k = 0; k < 1 + random.nextInt(8); k++) {
            b[random.nextInt(b.length)] = (byte) random.nextInt(256);
          }
          yield b;
        }
        default -> { // random bytes, sometimes behind a handshake record header
          byte[] b = new byte[1 + random.nextInt(600)];
          random.nextBytes(b);
          if (random.nextBoolean() && b.length > 5) {
            b[0] = 22;
            b[1] = 3;
            b[2] = 1;
          }
          yield b;
        }
      };
      assertThat(closedAfter(edge, bytes)).as("case %d", i).isTrue();
    }
    assertThat(passthroughAccepts.get()).as("nothing reached a backend").isZero();
    var stats = node.proxy().edgeStats();
    assertThat(stats.terminatedTotal() + stats.passthroughTotal()).isZero();
    // And the edge still serves.
    assertThat(curl(edge.getPort(), "api.example.test")).isEqualTo("api-backend");
  }

  @Test
  void connectionsClosedByBothSidesLeaveNothingOpen() throws Exception {
    EdgeNode node = startNode(dir.resolve("pop"), c -> c.withTls(EdgeTlsConfig.forTest().withDefaultApp("api")));
    sql(node, "INSERT INTO backends (id, app, region, wg_ip, port, hard_limit) VALUES ('api-1', 'api', 'sa', '127.0.0.1', "
        + closingBackend() + ", 0)");
    int port = node.edgeAddress().getPort();
    // wrk with "Connection: close": the backend closes after each answer, the client reads it and
    // closes with a close_notify, ten at a time. Every socket must go on both sides: backend sockets
    // once stayed in CLOSE-WAIT (about one close in fifteen) until the process ran out of descriptors.
    Commands.Run wrk = run("wrk", "-t1", "-c10", "-d3s", "-H", "Connection: close", "https://127.0.0.1:" + port + "/");
    assertThat(wrk.out()).contains("requests in");
    var loads = node.state().loads();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(node.proxy().activeConnections()).as("open client connections").isZero();
      assertThat(loads.loadOf("api-1").active()).as("open connections to the backend").isZero();
    });
    assertThat(loads.loadOf("api-1").connectionsTotal()).as(wrk.out()).isGreaterThan(100);
  }

  @Test
  @Timeout(600)
  void testsslFindsNoVulnerabilityAndNothingBelowTls12() throws Exception {
    EdgeNode node = popWithApps();
    int port = node.edgeAddress().getPort();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(curl(port, "api.example.test")).isEqualTo("api-backend"));
    Path json = dir.resolve("testssl.json");
    Commands.Run scan = run(600, "testssl", "--quiet", "--color", "0", "--warnings", "off", "--ip", "127.0.0.1", "-p", "-s", "-U",
        "--jsonfile", json.toString(), "https://api.example.test:" + port + "/");
    var findings = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile());
    Map<String, String> severity = new java.util.HashMap<>();
    Map<String, String> finding = new java.util.HashMap<>();
    findings.forEach(f -> {
      severity.put(f.path("id").asText(), f.path("severity").asText());
      finding.put(f.path("id").asText(), f.path("finding").asText());
    });
    for (String old : List.of("SSLv2", "SSLv3", "TLS1", "TLS1_1")) {
      assertThat(finding.get(old)).as(old + "\n" + scan.out()).isEqualTo("not offered");
    }
    assertThat(finding.get("TLS1_2")).startsWith("offered");
    assertThat(finding.get("TLS1_3")).startsWith("offered");
    for (String vulnerability : List.of("heartbleed", "CCS", "ticketbleed", "ROBOT", "secure_renego", "secure_client_renego",
        "CRIME_TLS", "BREACH", "POODLE_SSL", "fallback_SCSV", "SWEET32", "FREAK", "DROWN", "LOGJAM", "BEAST", "LUCKY13", "RC4")) {
      assertThat(severity).as("testssl ran the %s check\n%s", vulnerability, scan.out()).containsKey(vulnerability);
      assertThat(severity.get(vulnerability)).as(vulnerability + ": " + finding.get(vulnerability)).isIn("OK", "INFO");
    }
    assertThat(severity.entrySet()).as("nothing rated LOW or worse").noneMatch(e -> e.getValue().matches("LOW|MEDIUM|HIGH|CRITICAL"));
  }

  @Test
  void silentClientsAndPlainHttpAreClosedAndCounted() throws Exception {
    EdgeNode node = popWithApps();
    InetSocketAddress edge = node.edgeAddress();
    long start = System.nanoTime();
    try (Socket silent = new Socket()) {
      silent.connect(edge, 2_000);
      silent.setSoTimeout(10_000);
      assertThat(silent.getInputStream().read()).isEqualTo(-1);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1_500), Duration.ofSeconds(5));
    assertThat(node.proxy().edgeStats().helloTimeoutsTotal()).isEqualTo(1);
    assertThat(run("curl", "-sS", "--max-time", "5", "http://127.0.0.1:" + edge.getPort() + "/").exit()).isEqualTo(52);
    assertThat(node.proxy().edgeStats().notTlsTotal()).isEqualTo(1);
  }

  /** Sends {@code bytes}, shuts output, and says whether the edge closed the connection within 5 s. */
  private static boolean closedAfter(InetSocketAddress edge, byte[] bytes) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(edge, 2_000);
      s.setSoTimeout(5_000);
      try {
        s.getOutputStream().write(bytes);
        s.shutdownOutput();
      } catch (IOException closedEarly) {
        return true; // the edge closed while we wrote: fine
      }
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      try {
        while (in.read(buf) >= 0) {
          // the edge's own handshake records or alerts: read on until it closes
        }
        return true;
      } catch (java.net.SocketTimeoutException stillOpen) {
        return false;
      } catch (java.net.SocketException reset) {
        return true;
      }
    }
  }

  /** The bytes of a real TLS ClientHello (the JDK's) naming {@code host}. */
  private static byte[] clientHello(String host) throws Exception {
    SSLEngine engine = SSLContext.getDefault().createSSLEngine(host, 443);
    engine.setUseClientMode(true);
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setServerNames(List.of(new SNIHostName(host)));
    parameters.setApplicationProtocols(new String[] {"http/1.1"});
    engine.setSSLParameters(parameters);
    ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    engine.wrap(ByteBuffer.allocate(0), out);
    out.flip();
    byte[] bytes = new byte[out.remaining()];
    out.get(bytes);
    return bytes;
  }

  private SSLSocket tlsClient(int port, String host) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setServerNames(List.of(new SNIHostName(host)));
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    socket.setSSLParameters(parameters);
    socket.setSoTimeout(5_000);
    return socket;
  }

  /** One HTTP/1.1 keep-alive GET over {@code socket}; returns the body's first line. */
  private static String request(SSLSocket socket, BufferedReader in) throws IOException {
    socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: api.example.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    int length = 0;
    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    char[] body = new char[length];
    int read = 0;
    while (read < length) {
      read += in.read(body, read, length - read);
    }
    return new String(body).trim();
  }
}
