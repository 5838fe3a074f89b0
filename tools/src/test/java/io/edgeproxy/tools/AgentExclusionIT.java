package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeproxy.core.config.DnsConfig;
import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.config.ListenerConfig;
import io.edgeproxy.core.geo.SocketAddresses;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two agents never share a routing.db or a port by accident: the second refuses to start, says
 * why, and the first keeps serving. Until now a second agent joined the first one's SO_REUSEPORT
 * groups and took half its clients.
 */
@Timeout(120)
class AgentExclusionIT {
  private static final Path JAR = Path.of("target/edgeproxy.jar");
  @TempDir Path dir;

  private EdgeConfig node(String name) {
    return EdgeConfig.forTest(dir.resolve(name));
  }

  private static EdgeConfig listeningOn(EdgeConfig config, InetSocketAddress address) {
    return config.withProxy(config.proxy().withListeners(List.of(new ListenerConfig("*", address))));
  }

  private Process agent(Path db, String log) throws Exception {
    return new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-XX:+UseSerialGC",
        "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toAbsolutePath().toString(), "agent", "--listen", "127.0.0.1:0",
        "--admin", "127.0.0.1:0", "--db", db.toString()).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
  }

  @Test
  void aSecondAgentOnTheSameRoutingDbIsRefused() throws Exception {
    EdgeConfig config = node("a");
    try (EdgeNode first = EdgeNode.start(config)) {
      assertThatThrownBy(() -> EdgeNode.start(config)).isInstanceOf(EdgeNode.NodeStartException.class)
          .hasMessageContaining("failed to lock the data directory: another edgeproxy agent runs on "
              + config.node().dbPath().toAbsolutePath())
          .hasMessageContaining("pid " + ProcessHandle.current().pid());
      assertThat(first.proxyAddresses()).isNotEmpty();
      // The refusal in this JVM must not have dropped the lock (POSIX locks go with any closed descriptor).
      Process other = agent(config.node().dbPath(), "other.log");
      try {
        assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(other.exitValue()).isEqualTo(1);
        assertThat(java.nio.file.Files.readString(dir.resolve("other.log"))).contains("another edgeproxy agent runs on");
      } finally {
        other.destroyForcibly();
      }
    }
    EdgeNode.start(config).close(); // released with the first
  }

  @Test
  void aSecondAgentOnTheSameProxyOrDnsPortIsRefusedAndTheFirstKeepsItsClients() throws Exception {
    try (TestSockets sockets = new TestSockets()) {
      int backend = sockets.namedBackend("web-1");
      EdgeConfig a = node("a").withDns(DnsConfig.forTest());
      try (EdgeNode first = EdgeNode.start(a)) {
        first.db().write("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('web-1', 'web', 'sa', '127.0.0.1', ?)", backend);
        first.reloadNow();
        InetSocketAddress proxy = first.proxyAddresses().getFirst();
        assertThatThrownBy(() -> EdgeNode.start(listeningOn(node("b"), proxy)))
            .hasMessageContaining("TCP " + SocketAddresses.format(proxy) + " is in use by another process");
        InetSocketAddress dns = first.dnsAddress();
        assertThatThrownBy(() -> EdgeNode.start(node("c").withDns(DnsConfig.forTest().withListen(dns))))
            .hasMessageContaining("UDP " + SocketAddresses.format(dns) + " is in use by another process");
        for (int i = 0; i < 20; i++) {
          assertThat(TestSockets.ask(proxy)).as("every client still reaches the first agent").isEqualTo("web-1");
        }
      }
    }
  }

  @Test
  void aKilledAgentLeavesNothingThatBlocksTheNextOne() throws Exception {
    EdgeConfig config = node("k");
    Process agent = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-XX:+UseSerialGC",
        "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toAbsolutePath().toString(), "agent", "--listen", "127.0.0.1:0",
        "--admin", "127.0.0.1:0", "--db", config.node().dbPath().toString()).redirectError(dir.resolve("k.log").toFile()).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).startsWith("proxy: 127.0.0.1:");
      assertThatThrownBy(() -> EdgeNode.start(config)).hasMessageContaining("another edgeproxy agent runs on")
          .hasMessageContaining("pid " + agent.pid());
    } finally {
      agent.destroyForcibly(); // SIGKILL: no shutdown hook runs
    }
    assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
    EdgeNode.start(config).close();
  }
}
