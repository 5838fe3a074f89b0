package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.testing.LocalPorts;
import io.edgeproxy.core.testing.NamedBackend;
import io.edgeproxy.sql.ApiTokens;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.tools.handover.HandOverClient;
import io.edgeproxy.tunnel.TunnelAgent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A reload of a POP whose app is served only through a device tunnel: the POP (a separate process,
 * started and reloaded as the Debian unit does it) asks its device agents to reconnect, the QUIC
 * steering program sends their new connections to the new process and the old connections'
 * packets to the old one, and clients that never pause see no refused, reset or empty connection.
 * An agent over the TCP fallback moves when the old process lets go (through the HTTPS edge, the
 * new process's alone by then), not only when it exits.
 */
@Timeout(240)
class TunnelHandOverIT extends HttpsEdgeTestBase {
  private static final Path JAR = Path.of("target/edgeproxy.jar");
  private final List<ProcessHandle> started = new ArrayList<>();

  @Test
  void aReloadMovesTheDeviceTunnelsWithoutLosingAClientConnection() throws Exception {
    Path db = dir.resolve("pop").resolve("routing.db");
    Path certs = dir.resolve("certs");
    Path crt = issue(certs, "edge", "localhost");
    String token;
    String tcpToken;
    // A backend that accepts and never answers: a client of it keeps the old agent draining (15 s).
    ServerSocket holding = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    closers.add(holding);
    Thread.ofVirtual().start(() -> {
      while (!holding.isClosed()) {
        try {
          closers.add(holding.accept());
        } catch (java.io.IOException e) {
          return;
        }
      }
    });
    try (RoutingDb routing = RoutingDb.open(db)) {
      routing.write("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('hold-1', 'hold', 'sa', '127.0.0.1', ?)",
          holding.getLocalPort());
      token = new ApiTokens(routing).create("dev", "tunnel hand-over test", System.currentTimeMillis());
      tcpToken = new ApiTokens(routing).create("dl", "tunnel hand-over test, TCP fallback", System.currentTimeMillis());
    }
    int proxyPort = LocalPorts.tcp().getPort();
    int edgePort = LocalPorts.tcp().getPort();
    int tunnelPort = LocalPorts.udp().getPort();
    int holdPort = LocalPorts.tcp().getPort();
    List<String> options = List.of("--listen", "127.0.0.1:" + proxyPort, "--app", "dev", "--admin", "", "--db", db.toString(),
        "--listeners", "hold=127.0.0.1:" + holdPort, "--drain-secs", "15", "--tls", "true", "--tls-listen",
        "127.0.0.1:" + edgePort, "--tls-cert", crt.toString(),
        "--tls-key", certs.resolve("edge.key").toString(), "--tunnels", "true", "--tunnel-listen", "127.0.0.1:" + tunnelPort,
        "--tcp-access-log", "true"); // a failure then names what the agents did with the client that was not answered
    try (NamedBackend app = new NamedBackend("dev-app");
        DatagramSocket noDns = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      Process old = start(options, "old.log", "agent");
      BufferedReader out = new BufferedReader(new InputStreamReader(old.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).as(() -> read("old.log")).startsWith("proxy: ");
      Thread.ofVirtual().start(() -> drain(out));
      // Four agents of the app over QUIC: by the kernel's hash alone, without the steering program,
      // some of their old or new connections would land on the wrong process.
      List<TunnelAgent> agents = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        TunnelAgent a = TunnelAgent.start(new TunnelAgent.Settings("dev", "agent-dev-" + i, token,
            new InetSocketAddress(InetAddress.getLoopbackAddress(), app.port()), List.of("localhost:" + tunnelPort),
            List.of(ca.certificate()), 2, 3_000, 500, 64));
        closers.add(a);
        agents.add(a);
      }
      TunnelAgent overTcp = TunnelAgent.start(new TunnelAgent.Settings("dl", "agent-tcp", tcpToken,
          new InetSocketAddress(InetAddress.getLoopbackAddress(), app.port()), List.of("localhost:" + tunnelPort),
          List.of(ca.certificate()), 2, 3_000, 500, 64, edgePort, TunnelAgent.Transport.TCP));
      closers.add(overTcp);
      InetSocketAddress proxy = new InetSocketAddress("127.0.0.1", proxyPort);
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> TestSockets.ask(proxy).equals("dev-app")
          && overTcp.tunnelsUp() == 1 && agents.stream().allMatch(a -> a.tunnelsUp() == 1));
      String tcpTunnelBefore = overTcp.links().getFirst().tunnelId();
      java.net.Socket held = new java.net.Socket("127.0.0.1", holdPort); // the old agent's, open until it exits
      closers.add(held);

      ClientLoad load = new ClientLoad(proxy, "dev-app", 3, (InetSocketAddress) noDns.getLocalSocketAddress(), 0);
      Thread.sleep(1_500);
      Process reload = start(options, "reload.log", "reload");
      assertThat(reload.waitFor(120, TimeUnit.SECONDS)).isTrue();
      String said = read("reload.log");
      assertThat(reload.exitValue()).as(said).isZero();
      long serving = HandOverClient.servingPid(db).orElseThrow();
      started.add(ProcessHandle.of(serving).orElseThrow());
      // The agent over the TCP fallback moved when the old agent let go, not when it exits after its drain.
      await().atMost(Duration.ofMillis(2_500)).until(() -> overTcp.tunnelsUp() == 1
          && !tcpTunnelBefore.equals(overTcp.links().getFirst().tunnelId()));
      assertThat(old.isAlive()).as("the old agent still drains").isTrue();
      // No next reload while it does: the steering program's socket indexes would be wrong.
      Process tooSoon = start(options, "too-soon.log", "reload");
      assertThat(tooSoon.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(tooSoon.exitValue()).isEqualTo(1);
      assertThat(read("too-soon.log")).contains("is still draining; try again once it has exited");
      assertThat(old.waitFor(60, TimeUnit.SECONDS)).as("the old agent drains and exits").isTrue();
      assertThat(old.exitValue()).isZero();
      Thread.sleep(1_500);
      load.close();
      System.out.println("through a reload of a POP serving an app through a device tunnel: " + load.outcomes());
      assertThat(load.count("tcp answered")).isGreaterThan(50);
      assertThat(load.failures()).as(() -> "through the reload: " + load.outcomes() + "\n" + accessLogOf(load.failedPorts())
          + "\n--- old.log, without its access log\n" + withoutAccessLog(read("old.log"))
          + "\n--- reload.log, without its access log\n" + withoutAccessLog(read("reload.log"))).isZero();
      assertThat(said).contains("device tunnels: 4 of the 4 agents asked to move have reconnected here");
      assertThat(read("old.log")).doesNotContain("cannot steer");
      assertThat(agents).allSatisfy(a -> assertThat(a.tunnelsUp()).isEqualTo(1));
      assertThat(TestSockets.ask(proxy)).isEqualTo("dev-app");
    } finally {
      // and an agent a reload started that the test did not get to see (a failure half-way)
      HandOverClient.servingPid(db).flatMap(ProcessHandle::of).ifPresent(started::add);
      started.forEach(ProcessHandle::destroy);
      for (ProcessHandle p : started) {
        p.onExit().get(30, TimeUnit.SECONDS);
      }
    }
  }

  private Process start(List<String> options, String log, String verb) throws Exception {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-XX:+UseSerialGC",
        "-jar", JAR.toAbsolutePath().toString(), verb));
    command.addAll(options);
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(dir.resolve(log).toFile());
    if (!verb.equals("agent")) {
      pb.redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile());
    }
    Process p = pb.start();
    started.add(p.toHandle());
    return p;
  }

  /** What both agents' access logs say of the clients on {@code ports}. */
  private String accessLogOf(List<Integer> ports) {
    String both = read("old.log") + "\n" + read("reload.log");
    return ports.stream().map(port -> port + ": " + both.lines().filter(l -> l.contains("127.0.0.1:" + port + " "))
        .collect(java.util.stream.Collectors.joining(" | "))).collect(java.util.stream.Collectors.joining("\n"));
  }

  private static String withoutAccessLog(String log) {
    return log.lines().filter(l -> !l.contains(" access ")).collect(java.util.stream.Collectors.joining("\n"));
  }

  private String read(String log) {
    try {
      return Files.readString(dir.resolve(log));
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  private static void drain(BufferedReader out) {
    try {
      out.transferTo(java.io.Writer.nullWriter());
    } catch (java.io.IOException e) {
      // it ended
    }
  }

}
