package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.config.EdgeTlsConfig;
import io.edgeproxy.core.config.ListenerConfig;
import io.edgeproxy.core.config.TlsFiles;
import io.edgeproxy.core.routing.Candidate;
import io.edgeproxy.core.testing.net.TcpEchoServer;
import io.edgeproxy.sql.ApiTokens;
import io.edgeproxy.tunnel.Tunnel;
import io.edgeproxy.tunnel.TunnelAgent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Device tunnels on real sockets: a POP with its QUIC tunnel listener, agents in this JVM and as
 * separate processes (killed with SIGKILL), a TCP echo app served only through the tunnel.
 */
class TunnelIT extends HttpsEdgeTestBase {
  private static final Path JAR = Path.of("target", "edgeproxy.jar");
  private EdgeNode pop;
  private InetSocketAddress echo;

  @BeforeEach
  void popWithTunnels() throws Exception {
    Path certs = dir.resolve("certs");
    Path crt = issue(certs, "edge", "localhost");
    pop = startNode(dir.resolve("pop"), c -> c
        .withProxy(c.proxy().withListeners(List.of(new ListenerConfig("dev", new InetSocketAddress("127.0.0.1", 0)),
            new ListenerConfig("dl", new InetSocketAddress("127.0.0.1", 0)))))
        .withTls(EdgeTlsConfig.forTest().withDefaultCertificate(new TlsFiles(crt, certs.resolve("edge.key")))
            .withTunnels(new InetSocketAddress("127.0.0.1", 0))));
    TcpEchoServer server = TcpEchoServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    closers.add(server);
    echo = server.address();
  }

  private String token(String app) {
    return new ApiTokens(pop.db()).create(app, "tunnel test", System.currentTimeMillis());
  }

  private TunnelAgent agent(String app, String token) {
    TunnelAgent agent = TunnelAgent.start(new TunnelAgent.Settings(app, "agent-" + app, token, echo,
        List.of("localhost:" + pop.tunnels().address().getPort()), List.of(ca.certificate()), 2, 3_000, 500, 64));
    closers.add(agent);
    return agent;
  }

  private List<Candidate> tunnelBackends(String app) {
    var routes = pop.state().current().routesFor(app);
    return routes == null ? List.of() : routes.all().stream().filter(c -> c.backend().isTunnel() && c.backend().healthy()).toList();
  }

  @Test
  void aClientReachesTheAppThroughTheTunnelByteExactWithHalfClose() throws Exception {
    TunnelAgent agent = agent("dev", token("dev"));
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.tunnelsUp() == 1 && tunnelBackends("dev").size() == 1);
    assertThat(query("SELECT app || ' ' || agent || ' ' || remote_ip FROM tunnels")).isEqualTo("dev agent-dev 127.0.0.1");

    byte[] sent = new byte[1 << 20];
    new Random(7).nextBytes(sent);
    for (int i = 0; i < 3; i++) { // several connections, each its own stream
      assertThat(TcpEchoServer.roundTrip(pop.proxyAddresses().get(0), sent)).isEqualTo(sent);
    }
    assertThat(pop.tunnels().tunnels().getFirst().streamsOpened()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void anAppInHttpModeIsServedThroughTheTunnelOverHttp2AndHttp11() throws Exception {
    int device = httpBackend("device");
    sql(pop, "INSERT INTO apps (name, protocol) VALUES ('web', 'http')");
    sql(pop, "INSERT INTO hostnames (hostname, app) VALUES ('localhost', 'web')");
    TunnelAgent agent = TunnelAgent.start(new TunnelAgent.Settings("web", "agent-web", token("web"),
        new InetSocketAddress(InetAddress.getLoopbackAddress(), device), List.of("localhost:" + pop.tunnels().address().getPort()),
        List.of(ca.certificate()), 2, 3_000, 500, 64));
    closers.add(agent);
    await().atMost(Duration.ofSeconds(10)).until(() -> tunnelBackends("web").size() == 1);
    int port = pop.edgeAddress().getPort();
    for (int i = 0; i < 3; i++) {
      assertThat(curl(port, "localhost", "--http2")).isEqualTo("device");
      assertThat(curl(port, "localhost", "--http1.1")).isEqualTo("device");
    }
    assertThat(pop.tunnels().tunnels().getFirst().streamsOpened()).isGreaterThanOrEqualTo(6); // a stream per request
  }

  @Test
  void aTokenOfAnotherAppIsRefusedAndNothingRoutes() throws Exception {
    TunnelAgent agent = agent("dev", token("other"));
    await().atMost(Duration.ofSeconds(10)).until(() -> pop.tunnels().refusedCount() >= 1);
    assertThat(agent.tunnelsUp()).isZero();
    assertThat(agent.links().getFirst().lastError()).contains("the token is for app other, not dev");
    TunnelAgent unknown = agent("dev", "not-a-token");
    await().atMost(Duration.ofSeconds(10)).until(() -> pop.tunnels().refusedCount() >= 2);
    assertThat(unknown.tunnelsUp()).isZero();
    assertThat(tunnelBackends("dev")).isEmpty();
  }

  @Test
  void anAgentKilledWithSigkillIsDetectedAndItsRowRemoved() throws Exception {
    String token = token("dev");
    Path caPemFile = caPem;
    ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-XX:+UseSerialGC", "-jar",
        JAR.toAbsolutePath().toString(), "tunnel", "run", "--app", "dev", "--to", "127.0.0.1:" + echo.getPort(),
        "--pops", "localhost:" + pop.tunnels().address().getPort(), "--ca", caPemFile.toString(), "--agent-id", "proc")
        .redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile());
    builder.environment().put("EDGEPROXY_TUNNEL_TOKEN", token); // by environment, as documented: never in the process list
    Process agent = builder.start();
    agent.getOutputStream().close();
    closers.add(agent::destroyForcibly);
    await().atMost(Duration.ofSeconds(30)).until(() -> !agent.isAlive() || tunnelBackends("dev").size() == 1);
    assertThat(agent.isAlive()).as("agent log: %s", Files.readString(dir.resolve("agent.log"))).isTrue();
    assertThat(TcpEchoServer.roundTrip(pop.proxyAddresses().get(0), "hello".getBytes(StandardCharsets.US_ASCII))).isEqualTo("hello".getBytes(StandardCharsets.US_ASCII));

    long killed = System.nanoTime();
    agent.destroyForcibly(); // SIGKILL: no goodbye, the path just goes silent
    agent.waitFor(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> tunnelBackends("dev").isEmpty()
        && pop.tunnels().tunnels().isEmpty());
    assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(15));
    assertThat(query("SELECT count(*) FROM tunnels")).isEqualTo("0");
  }

  @Test
  void anAgentReconnectsByItselfAfterThePopRestarts() throws Exception {
    TunnelAgent agent = agent("dev", token("dev"));
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.tunnelsUp() == 1);
    int port = pop.tunnels().address().getPort();
    Path home = pop.config().node().dbPath().getParent();
    var config = pop.config().withTls(pop.config().tls().withTunnels(new InetSocketAddress("127.0.0.1", port)));
    pop.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.tunnelsUp() == 0);
    pop = EdgeNode.start(config);
    closers.add(pop);
    await().atMost(Duration.ofSeconds(35)).until(() -> agent.tunnelsUp() == 1 && tunnelBackends("dev").size() == 1);
    assertThat(TcpEchoServer.roundTrip(pop.proxyAddresses().get(0), "again".getBytes(StandardCharsets.US_ASCII))).isEqualTo("again".getBytes(StandardCharsets.US_ASCII));
    assertThat(home).exists();
  }

  @Test
  void garbageOnTheControlStreamIsSurvived() throws Exception {
    // A hostile client: random datagrams at the QUIC port, then a real agent still gets in.
    try (var udp = new java.net.DatagramSocket()) {
      Random random = new Random(3);
      for (int i = 0; i < 2_000; i++) {
        byte[] junk = new byte[1 + random.nextInt(1400)];
        random.nextBytes(junk);
        udp.send(new java.net.DatagramPacket(junk, junk.length, pop.tunnels().address()));
      }
    }
    TunnelAgent agent = agent("dev", token("dev"));
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.tunnelsUp() == 1);
    assertThat(TcpEchoServer.roundTrip(pop.proxyAddresses().get(0), "ok".getBytes(StandardCharsets.US_ASCII))).isEqualTo("ok".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void withUdpBlockedTheAgentFallsBackToTcpOnTheHttpsEdgeForTcpAndHttpApps() throws Exception {
    int device = httpBackend("device");
    sql(pop, "INSERT INTO apps (name, protocol) VALUES ('web', 'http')");
    sql(pop, "INSERT INTO hostnames (hostname, app) VALUES ('localhost', 'web')");
    try (var blackHole = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) { // UDP that never answers
      int edge = pop.edgeAddress().getPort();
      String quic = "localhost:" + blackHole.getLocalPort();
      TunnelAgent dev = TunnelAgent.start(new TunnelAgent.Settings("dev", "agent-dev", token("dev"), echo, List.of(quic),
          List.of(ca.certificate()), 2, 3_000, 500, 64, edge));
      TunnelAgent web = TunnelAgent.start(new TunnelAgent.Settings("web", "agent-web", token("web"),
          new InetSocketAddress(InetAddress.getLoopbackAddress(), device), List.of(quic), List.of(ca.certificate()), 2, 3_000, 500, 64, edge));
      closers.add(dev);
      closers.add(web);
      await().atMost(Duration.ofSeconds(20)).until(() -> dev.tunnelsUp() == 1 && web.tunnelsUp() == 1
          && tunnelBackends("dev").size() == 1 && tunnelBackends("web").size() == 1);
      assertThat(dev.links().getFirst().transport()).isEqualTo("tcp");
      assertThat(pop.tunnels().tunnels()).extracting(t -> t.transport()).containsOnly("tcp");

      byte[] sent = new byte[1 << 20];
      new Random(11).nextBytes(sent);
      for (int i = 0; i < 3; i++) { // byte-exact both ways, the client's FIN relayed as END_STREAM and back
        assertThat(TcpEchoServer.roundTrip(pop.proxyAddresses().get(0), sent)).isEqualTo(sent);
      }
      for (int i = 0; i < 3; i++) {
        assertThat(curl(edge, "localhost", "--http2")).isEqualTo("device");
        assertThat(curl(edge, "localhost", "--http1.1")).isEqualTo("device");
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> pop.tunnels().tunnels().stream().allMatch(t -> t.rttNanos() > 0));

      // --transport tcp: straight to TCP, no QUIC attempt to wait for.
      long started = System.nanoTime();
      TunnelAgent tcpOnly = TunnelAgent.start(new TunnelAgent.Settings("dev", "agent-tcp", token("dev"), echo,
          List.of("localhost:" + pop.tunnels().address().getPort()), List.of(ca.certificate()), 2, 3_000, 500, 64, edge,
          TunnelAgent.Transport.TCP));
      closers.add(tcpOnly);
      await().atMost(Duration.ofSeconds(3)).until(() -> tcpOnly.tunnelsUp() == 1);
      assertThat(tcpOnly.links().getFirst().transport()).isEqualTo("tcp");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }
  }

  @Test
  void aFloodOfTenThousandClientStreamsAndAHostileTcpAgentAreSurvived() throws Exception {
    TunnelAgent agent = agent("dev", token("dev"));
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.tunnelsUp() == 1 && tunnelBackends("dev").size() == 1);
    InetSocketAddress proxy = pop.proxyAddresses().get(0);
    Tunnel tunnel = pop.tunnels().tunnels().getFirst();
    // 10,000 client connections, 50 at a time (the agent grants 64 streams, and more only as streams
    // end: a POP that asked for a stream beyond that used up stream ids for good, and the tunnel died
    // after a few batches), each a stream through the tunnel once it is open, then reset by the client.
    for (int batch = 0; batch < 200; batch++) {
      List<java.net.Socket> open = new java.util.ArrayList<>();
      long before = tunnel.streamsOpened();
      for (int i = 0; i < 50; i++) {
        java.net.Socket s = new java.net.Socket();
        s.connect(proxy, 5_000);
        s.getOutputStream().write('x');
        open.add(s);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> tunnel.streamsOpened() >= before + 50);
      for (java.net.Socket s : open) {
        s.setSoLinger(true, 0);
        s.close();
      }
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> tunnel.openStreams() == 0 && agent.links().getFirst().openStreams() == 0);
    assertThat(tunnel.streamsOpened()).isGreaterThanOrEqualTo(10_000);

    // A TLS client that says ALPN edgeproxy-tunnel on the HTTPS edge, then sends garbage instead of HTTP/2.
    try (SSLSocket hostile = tlsClient(pop.edgeAddress().getPort(), "localhost")) {
      SSLParameters alpn = hostile.getSSLParameters();
      alpn.setApplicationProtocols(new String[] {"edgeproxy-tunnel"});
      hostile.setSSLParameters(alpn);
      hostile.startHandshake();
      assertThat(hostile.getApplicationProtocol()).isEqualTo("edgeproxy-tunnel");
      byte[] junk = new byte[4096];
      new Random(13).nextBytes(junk);
      hostile.getOutputStream().write(junk);
      hostile.getOutputStream().flush();
      assertThat(readToEnd(hostile)).as("the POP closes the connection").isTrue();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> pop.tunnels().misbehavedCount() >= 1);
    assertThat(agent.tunnelsUp()).isEqualTo(1);
    assertThat(TcpEchoServer.roundTrip(proxy, "still here".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo("still here".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void clientsThatStopReadingDoNotStarveATcpTunnelOfItsPings() throws Exception {
    // An app that sends 8 MiB to every client, and 20 clients that never read: past the sockets'
    // buffers, each stream holds its whole receive window at the POP. The tunnel must keep its
    // control stream (and so its life) and go on serving others.
    java.net.ServerSocket firehose = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    closers.add(firehose);
    Thread.ofVirtual().start(() -> {
      while (!firehose.isClosed()) {
        try {
          java.net.Socket c = firehose.accept();
          Thread.ofVirtual().start(() -> {
            try (c) {
              c.getOutputStream().write(new byte[8 << 20]);
            } catch (java.io.IOException e) {
              // the client went away
            }
          });
        } catch (java.io.IOException e) {
          return;
        }
      }
    });
    sql(pop, "INSERT INTO apps (name) VALUES ('dl')");
    TunnelAgent agent = TunnelAgent.start(new TunnelAgent.Settings("dl", "agent-tcp", token("dl"),
        (InetSocketAddress) firehose.getLocalSocketAddress(), List.of("localhost:" + pop.tunnels().address().getPort()),
        List.of(ca.certificate()), 2, 5_000, 500, 64, pop.edgeAddress().getPort(), TunnelAgent.Transport.TCP));
    closers.add(agent);
    TunnelAgent echoAgent = TunnelAgent.start(new TunnelAgent.Settings("dev", "agent-dev", token("dev"), echo,
        List.of("localhost:" + pop.tunnels().address().getPort()), List.of(ca.certificate()), 2, 5_000, 500, 64));
    closers.add(echoAgent);
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.tunnelsUp() == 1 && tunnelBackends("dl").size() == 1
        && echoAgent.tunnelsUp() == 1);
    Tunnel tunnel = pop.tunnels().tunnels().stream().filter(t -> t.app().equals("dl")).findFirst().orElseThrow();
    for (int i = 0; i < 20; i++) {
      java.net.Socket s = new java.net.Socket();
      s.setReceiveBufferSize(4096);
      s.connect(pop.proxyAddresses().get(1), 5_000);
      closers.add(s);
    }
    // Well past the idle timeout (5 s here: 3 s left no margin on two cores busy with other tests)
    // had the control stream been held back.
    Thread.sleep(12_000);
    assertThat(tunnel.isOpen()).isTrue();
    assertThat(tunnel.openStreams()).isEqualTo(20);
    java.net.Socket reader = new java.net.Socket();
    reader.connect(pop.proxyAddresses().get(1), 5_000);
    reader.setSoTimeout(10_000);
    closers.add(reader);
    assertThat(reader.getInputStream().readNBytes(8 << 20)).hasSize(8 << 20); // a reading client gets everything
  }

  /** True once the peer closes (whatever it sent before: a GOAWAY); false on a timeout. */
  private static boolean readToEnd(SSLSocket socket) {
    try {
      while (socket.getInputStream().read() >= 0) {
        // what the POP says before it closes
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (java.io.IOException e) {
      return true; // reset: closed too
    }
  }

  /** The first column of the first row {@code sql} gives on the POP's routing.db, as text. */
  private String query(String sql) throws java.sql.SQLException {
    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + pop.config().node().dbPath());
        var rs = c.createStatement().executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : "none";
    }
  }

}
