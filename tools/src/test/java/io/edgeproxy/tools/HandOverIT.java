package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeproxy.core.testing.LocalPorts;
import io.edgeproxy.core.testing.NamedBackend;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.tools.handover.HandOverClient;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zero-downtime hand-over, with agents as separate processes started as the Debian unit's
 * ExecStart ({@code edgeproxy agent}) and ExecReload ({@code edgeproxy reload}) lines start them,
 * and clients that never pause (TCP through the proxy, TLS through the HTTPS edge, plain HTTP, DNS
 * over UDP and over TCP):
 * through a reload no connection is refused or reset and no DNS query is lost; a new agent that dies before the running one let go changes nothing; one that
 * vanishes after makes the old one exit 1, so the service manager restarts the service.
 * Needs {@code net.ipv4.tcp_migrate_req = 1} (set here; the Debian package sets it).
 */
@Timeout(240)
class HandOverIT {
  private static final Path JAR = Path.of("target/edgeproxy.jar");
  private static final int DRAIN_SECS = 3;

  @TempDir Path dir;
  private NamedBackend backend;
  private Path db;
  private int proxyPort;
  private int dnsPort;
  private int edgePort;
  private int httpPort;
  private final List<ProcessHandle> started = new ArrayList<>();

  private static final Path MIGRATE_REQ = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");
  private static String migrateReqBefore;

  @BeforeAll
  static void migrateAcceptQueues() throws Exception {
    migrateReqBefore = Files.readString(MIGRATE_REQ);
    Files.writeString(MIGRATE_REQ, "1\n");
  }

  @org.junit.jupiter.api.AfterAll
  static void restoreMigrateReq() throws Exception {
    Files.writeString(MIGRATE_REQ, migrateReqBefore);
  }

  @BeforeEach
  void routingDb() throws Exception {
    backend = new NamedBackend("web-1");
    db = dir.resolve("routing.db");
    try (RoutingDb routing = RoutingDb.open(db)) {
      routing.write("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('web-1', 'web', 'sa', '127.0.0.1', ?)", backend.port());
    }
    proxyPort = LocalPorts.tcp().getPort();
    dnsPort = LocalPorts.tcp().getPort();
    edgePort = LocalPorts.tcp().getPort();
    httpPort = LocalPorts.tcp().getPort();
  }

  @AfterEach
  void stop() throws Exception {
    // and an agent a reload started that the test did not get to see (a failure half-way)
    HandOverClient.servingPid(db).flatMap(ProcessHandle::of).ifPresent(started::add);
    started.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle p : started) {
      p.onExit().get(30, TimeUnit.SECONDS);
    }
    backend.close();
  }

  @Test
  void aReloadUnderLoadRefusesResetsAndLosesNothing() throws Exception {
    try (Notifications systemd = new Notifications(dir.resolve("notify.sock"))) {
      Process old = agent("old.log", systemd.path(), "agent");
      assertThat(systemd.next()).contains("MAINPID=" + old.pid()).contains("READY=1");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(db + ".handover")))).isEqualTo("rw-------");

      ClientLoad load = new ClientLoad(proxy(), "web-1", 3, dns(), 2, edge(), "web.edge.test", 2)
          .alsoHttpAndDnsOverTcp(new InetSocketAddress("127.0.0.1", httpPort), "web.edge.test", dns(), 1);
      Thread.sleep(2_000);
      Process reload = command("reload.log", systemd.path(), "reload");
      assertThat(reload.waitFor(120, TimeUnit.SECONDS)).as("edgeproxy reload returns").isTrue();
      String said = Files.readString(dir.resolve("reload.log"));
      assertThat(reload.exitValue()).as(said).isZero();
      assertThat(said).containsPattern("agent pid \\d+ took over from pid " + old.pid());
      long serving = HandOverClient.servingPid(db).orElseThrow();
      started.add(ProcessHandle.of(serving).orElseThrow());
      assertThat(systemd.next()).as("the new agent is the service's main process").contains("MAINPID=" + serving).contains("READY=1");

      assertThat(old.waitFor(DRAIN_SECS + 30, TimeUnit.SECONDS)).as("the old agent drains and exits").isTrue();
      assertThat(old.exitValue()).isZero();
      assertThat(Files.readString(dir.resolve("old.log"))).contains("hand-over done: the new agent serves");
      Thread.sleep(2_000);
      load.close();
      assertThat(load.count("tcp answered")).isGreaterThan(100);
      assertThat(load.count("tls answered")).isGreaterThan(20);
      assertThat(load.count("http answered")).isGreaterThan(20);
      assertThat(load.count("dns-tcp answered")).isGreaterThan(20);
      assertThat(load.count("dns answered")).isGreaterThan(1_000);
      System.out.println("through a reload: " + load.outcomes());
      assertThat(load.failures()).as("refused, reset or lost through the reload: %s", load.outcomes()).isZero();
      assertThat(Files.readString(Path.of(db + ".lock"))).contains("pid " + serving);
      assertThat(TestSockets.ask(proxy())).isEqualTo("web-1");
    }
  }

  @Test
  void aNewAgentThatDiesBeforeTheRunningOneLetGoChangesNothing() throws Exception {
    Process old = agent("old.log", null, "agent");
    ClientLoad load = new ClientLoad(proxy(), "web-1", 2, dns(), 1);
    try (HandOverClient first = HandOverClient.connect(db).orElseThrow()) {
      HandOverClient.Ready ready = first.hello();
      assertThat(ready.pid()).isEqualTo(old.pid());
      assertThat(ready.udpSockets()).isPositive();
      try (HandOverClient second = HandOverClient.connect(db).orElseThrow()) {
        assertThatThrownBy(second::hello).hasMessageContaining("taking over already");
      }
      // the first takes the DNS sockets, then goes away without asking the running agent to leave
      first.dnsSockets(ready.udpSockets()).close();
    }
    // a real agent killed (-9) once it has joined the proxy's listeners (its DNS warm-up runs then)
    Process doomed = command("doomed.log", null, "agent", "--take-over");
    Awaitility.await().atMost(Duration.ofSeconds(60))
        .until(() -> Files.readString(dir.resolve("doomed.log")).contains("proxy listening on"));
    doomed.destroyForcibly().waitFor();
    Thread.sleep(1_000);
    load.close();
    assertThat(old.isAlive()).isTrue();
    String oldLog = Files.readString(dir.resolve("old.log"));
    assertThat(oldLog.split("asks to take over", -1)).as("the test's client and the killed agent said HELLO").hasSize(3);
    assertThat(oldLog.split("went away before this one let go; still serving", -1)).hasSize(3);
    assertThat(load.count("tcp answered")).isGreaterThan(10);
    try (ClientLoad after = new ClientLoad(proxy(), "web-1", 1, dns(), 1)) {
      Thread.sleep(1_500);
      after.close();
      assertThat(after.failures()).as("after the kill: %s", after.outcomes()).isZero();
      assertThat(after.count("tcp answered")).isPositive();
      assertThat(after.count("dns answered")).isPositive();
    }
    // and the next reload still works
    Process reload = command("reload.log", null, "reload");
    assertThat(reload.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(reload.exitValue()).as(Files.readString(dir.resolve("reload.log"))).isZero();
    started.add(ProcessHandle.of(HandOverClient.servingPid(db).orElseThrow()).orElseThrow());
    assertThat(old.waitFor(DRAIN_SECS + 30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aTakeOverThatWouldChangeTheSchemaIsRefusedAndTheRunningAgentKeepsServing() throws Exception {
    Process old = agent("old.log", null, "agent");
    // as if this build's capture triggers differed from the running agent's
    io.edgeproxy.core.testing.Sqlite3Cli.exec(db, "UPDATE __edge_meta SET value = 'older' WHERE key = 'capture_triggers';");
    Process newer = command("newer.log", null, "agent", "--take-over");
    assertThat(newer.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(newer.exitValue()).isEqualTo(1);
    assertThat(Files.readString(dir.resolve("newer.log"))).contains("changes routing.db's schema (its change-capture triggers"
        + " would be replaced)").contains("systemctl restart");
    assertThat(io.edgeproxy.core.testing.Sqlite3Cli.exec(db, "SELECT value FROM __edge_meta WHERE key = 'capture_triggers';"))
        .as("routing.db untouched").isEqualToIgnoringWhitespace("older");
    assertThat(old.isAlive()).isTrue();
    assertThat(TestSockets.ask(proxy())).isEqualTo("web-1");
  }

  @Test
  void aNewAgentThatVanishesAfterTheRunningOneLetGoMakesItExitOne() throws Exception {
    Process old = agent("old.log", null, "agent");
    try (HandOverClient client = HandOverClient.connect(db).orElseThrow()) {
      client.hello();
      client.leave(Duration.ofSeconds(60)); // RELEASED: it stopped accepting and unlocked; no DONE follows
    }
    assertThat(old.waitFor(DRAIN_SECS + 30, TimeUnit.SECONDS)).isTrue();
    assertThat(old.exitValue()).as("the service manager restarts a service whose main process exits 1").isEqualTo(1);
    assertThat(Files.readString(dir.resolve("old.log"))).contains("the new agent went away after this one let go");
    Process reload = command("reload.log", null, "reload");
    assertThat(reload.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(reload.exitValue()).isEqualTo(1);
    assertThat(Files.readString(dir.resolve("reload.log"))).contains("no agent runs on " + db.toAbsolutePath());
  }

  private InetSocketAddress proxy() {
    return new InetSocketAddress("127.0.0.1", proxyPort);
  }

  private InetSocketAddress edge() {
    return new InetSocketAddress("127.0.0.1", edgePort);
  }

  private InetSocketAddress dns() {
    return new InetSocketAddress("127.0.0.1", dnsPort);
  }

  /** Runs {@code edgeproxy <words> <the agent's options>} and waits for an agent's first line. */
  private Process agent(String log, Path notifySocket, String... words) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(commandLine(words)).redirectError(dir.resolve(log).toFile());
    if (notifySocket != null) {
      pb.environment().put("NOTIFY_SOCKET", notifySocket.toString());
    }
    Process p = pb.start();
    started.add(p.toHandle());
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).as(() -> read(log)).startsWith("proxy: 127.0.0.1:" + proxyPort);
    Thread.ofVirtual().start(() -> {
      try {
        out.transferTo(java.io.Writer.nullWriter());
      } catch (java.io.IOException e) {
        // it ended
      }
    });
    return p;
  }

  private Process command(String log, Path notifySocket, String... words) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(commandLine(words)).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile());
    if (notifySocket != null) {
      pb.environment().put("NOTIFY_SOCKET", notifySocket.toString());
    }
    Process p = pb.start();
    started.add(p.toHandle());
    return p;
  }

  private List<String> commandLine(String... words) {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-XX:+UseSerialGC",
        "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toAbsolutePath().toString()));
    cmd.addAll(List.of(words));
    cmd.addAll(List.of("--listen", "127.0.0.1:" + proxyPort, "--app", "web", "--admin", "", "--dns", "true", "--dns-listen",
        "127.0.0.1:" + dnsPort, "--dns-rate-limit", "0", "--db", db.toString(), "--drain-secs", String.valueOf(DRAIN_SECS),
        "--tls", "true", "--tls-listen", "127.0.0.1:" + edgePort, "--domain", "edge.test", "--http-listen",
        "127.0.0.1:" + httpPort));
    return cmd;
  }

  private String read(String log) {
    try {
      return Files.readString(dir.resolve(log));
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  /** A stand-in for systemd's notification socket: the datagrams agents send to NOTIFY_SOCKET. */
  private static final class Notifications implements AutoCloseable {
    private final Path path;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final Channel channel;

    Notifications(Path path) {
      this.path = path;
      channel = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
          .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
              received.add(packet.content().toString(StandardCharsets.UTF_8));
            }
          })
          .bind(new DomainSocketAddress(path.toFile())).syncUninterruptibly().channel();
    }

    Path path() {
      return path;
    }

    String next() throws InterruptedException {
      String message = received.poll(60, TimeUnit.SECONDS);
      assertThat(message).as("a notification within 60 s").isNotNull();
      return message;
    }

    @Override
    public void close() {
      channel.close().syncUninterruptibly();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
