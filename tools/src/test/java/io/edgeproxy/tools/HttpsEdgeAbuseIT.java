package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.config.EdgeTlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;


/**
 * The HTTPS edge against hostile and careless clients: random, truncated, mutated and oversized
 * ClientHellos, silent clients, plain HTTP on the TLS port, a storm of closes from both sides, and
 * testssl's scan. Nothing may reach a backend, nothing may stay open.
 */
@Timeout(180)
class HttpsEdgeAbuseIT extends HttpsEdgeTestBase {
  private final AtomicInteger passthroughAccepts = new AtomicInteger();

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
    // A ClientHello announcing more than the edge buffers is refused at once.
    try (Socket big = new Socket()) {
      big.connect(edge, 2_000);
      big.setSoTimeout(5_000);
      // One 10-byte record starting a handshake message that says it is 40,000 bytes long (over the 32 KiB limit).
      big.getOutputStream().write(new byte[] {22, 3, 1, 0, 10, 1, 0x00, (byte) 0x9C, 0x40, 3, 3, 0, 0, 0, 0});
      int first;
      try {
        first = big.getInputStream().read();
      } catch (java.net.SocketException reset) {
        first = -1; // closed with our bytes unread: a reset
      }
      assertThat(first).isIn(-1, 21); // closed (after an alert, perhaps)
    }
    await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(node.proxy().edgeStats().notTlsTotal()).isEqualTo(2));
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

}
