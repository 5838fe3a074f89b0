package io.edgeproxy.tools.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.config.EdgeTlsConfig;
import io.edgeproxy.core.config.ListenerConfig;
import io.edgeproxy.core.config.TlsFiles;
import io.edgeproxy.core.testing.net.Host;
import io.edgeproxy.core.testing.net.TcpEchoServer;
import io.edgeproxy.core.testing.net.NetworkLab;
import io.edgeproxy.core.testing.net.ProbeAgent;
import io.edgeproxy.replication.tls.ClusterPki;
import io.edgeproxy.sql.ApiTokens;
import io.edgeproxy.tools.EdgeNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device behind NAT for real: the agent and its app in a namespace whose only way out is a
 * router namespace that masquerades it, so nothing can connect in. The POP (this JVM, in the root
 * namespace) serves the app through the tunnel; a link that then silently drops everything is
 * detected on both ends, and the agent comes back by itself once the link does; when the device's
 * UDP is then blocked, the agent falls back to TCP on the POP's HTTPS edge by itself.
 */
@Timeout(240)
class TunnelNatIT {
  private static final Path JAR = Path.of("target/edgeproxy.jar");
  @TempDir Path dir;

  @Test
  void aDeviceBehindNatIsServedAndASilentLinkIsDetected() throws Exception {
    try (NetworkLab lab = NetworkLab.create()) {
      Host router = lab.addHost("router");
      Host device = lab.addHost("device");
      String ns = lab.runId();
      // device <-> router on a private /24; the device's own link to the bridge goes down.
      sh("ip", "link", "add", ns + "nd", "type", "veth", "peer", "name", ns + "nr");
      sh("ip", "link", "set", ns + "nd", "netns", device.namespace());
      sh("ip", "link", "set", ns + "nr", "netns", router.namespace());
      in(device, "ip", "addr", "add", "192.168.77.2/24", "dev", ns + "nd");
      in(device, "ip", "link", "set", ns + "nd", "up");
      in(device, "ip", "link", "set", "eth0", "down");
      in(device, "ip", "route", "replace", "default", "via", "192.168.77.1");
      in(router, "ip", "addr", "add", "192.168.77.1/24", "dev", ns + "nr");
      in(router, "ip", "link", "set", ns + "nr", "up");
      in(router, "sysctl", "-qw", "net.ipv4.ip_forward=1");
      in(router, "iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "192.168.77.0/24", "-o", "eth0", "-j", "MASQUERADE");
      // A path narrower than Ethernet: the tunnel's path MTU probes (up to 8 KiB) must be sent with
      // don't-fragment, so they fail instead of leaving as fragments, and the tunnel stays at what
      // fits. The device counts (and drops) any datagram larger than its link before fragmentation.
      in(device, "ip", "link", "set", ns + "nd", "mtu", "1280");
      in(router, "ip", "link", "set", ns + "nr", "mtu", "1280");
      in(device, "iptables", "-A", "OUTPUT", "-p", "udp", "-m", "length", "--length", "1281:65535", "-j", "DROP");
      in(device, "iptables", "-A", "OUTPUT", "-p", "udp", "-m", "length", "--length", "1229:1280"); // counts only

      // The POP, on the bridge's address, with a certificate for that address.
      String popIp = lab.gateway().getHostAddress();
      ClusterPki.Identity cert = ClusterPki.selfSigned(List.of(popIp), Duration.ofDays(1));
      Path crt = dir.resolve("edge.crt");
      Path key = dir.resolve("edge.key");
      Files.writeString(crt, ClusterPki.pem(cert.certificate()));
      Files.writeString(key, ClusterPki.pem(cert.key()));
      EdgeConfig base = EdgeConfig.forTest(dir.resolve("pop"));
      Files.createDirectories(dir.resolve("pop"));
      try (EdgeNode pop = EdgeNode.start(base
          .withProxy(base.proxy().withListeners(List.of(new ListenerConfig("dev", new InetSocketAddress(popIp, 0)))))
          .withTls(EdgeTlsConfig.forTest().withListen(new InetSocketAddress(popIp, 0)).withDefaultCertificate(new TlsFiles(crt, key))
              .withTunnels(new InetSocketAddress(popIp, 0))));
          ProbeAgent app = ProbeAgent.start(device)) {
        int echoPort = app.tcpEcho(0).getPort();
        String token = new ApiTokens(pop.db()).create("dev", "nat test", System.currentTimeMillis());
        ProcessBuilder agent = device.command(List.of(ProcessHandle.current().info().command().orElse("java"), "-XX:+UseSerialGC",
            "-jar", JAR.toAbsolutePath().toString(), "tunnel", "run", "--app", "dev", "--to", "127.0.0.1:" + echoPort,
            "--pops", popIp + ":" + pop.tunnels().address().getPort(), "--ca", crt.toString(), "--agent-id", "behind-nat",
            "--fallback-port", String.valueOf(pop.edgeAddress().getPort())))
            .redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile());
        agent.environment().put("EDGEPROXY_TUNNEL_TOKEN", token);
        device.start(agent).getOutputStream().close();
        try {
          await().atMost(Duration.ofSeconds(30)).until(() -> pop.tunnels().tunnels().size() == 1);
          assertThat(pop.tunnels().tunnels().getFirst().transport()).isEqualTo("quic");
          // The POP sees the router's address: the device is masqueraded...
          assertThat(pop.tunnels().tunnels().getFirst().remote().getAddress()).isEqualTo(router.address());
          // ...and nothing reaches the app from outside, at the device's address or the router's.
          assertThatThrownBy(() -> connect(new InetSocketAddress("192.168.77.2", echoPort))).isInstanceOf(IOException.class);
          assertThatThrownBy(() -> connect(new InetSocketAddress(router.address(), echoPort))).isInstanceOf(IOException.class);

          byte[] sent = new byte[512 * 1024];
          new Random(5).nextBytes(sent);
          InetSocketAddress proxy = pop.proxyAddresses().get(0);
          for (int i = 0; i < 3; i++) {
            assertThat(TcpEchoServer.roundTrip(proxy, sent)).isEqualTo(sent);
          }
          // The search finds the path's size (datagrams above QUIC's minimum of 1,200 bytes, up to the
          // link's) as probes go out on its timer: traffic until one such datagram left.
          await().atMost(Duration.ofSeconds(20)).until(() -> {
            assertThat(TcpEchoServer.roundTrip(proxy, sent)).isEqualTo(sent);
            return in(device, "iptables", "-nvxL", "OUTPUT").matches("(?s).*\\n\\s+[1-9]\\d*\\s+\\d+\\s+17\\b[^\\n]*length 1229:1280.*");
          });
          assertThat(in(device, "iptables", "-nvxL", "OUTPUT")).as("datagrams larger than the path, to be fragmented")
              .containsPattern("(?m)^\\s+0\\s+0\\s+DROP\\s+17\\b.*length 1281:65535");

          // The router starts dropping everything, silently: both ends notice within 15 s.
          in(router, "iptables", "-I", "FORWARD", "-j", "DROP");
          long cut = System.nanoTime();
          await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> pop.tunnels().tunnels().isEmpty());
          await().atMost(Duration.ofSeconds(15)).until(() -> Files.readString(dir.resolve("agent.log")).contains("closed; next try"));
          assertThat(Duration.ofNanos(System.nanoTime() - cut)).isLessThan(Duration.ofSeconds(15));

          // The link comes back: the agent reconnects by itself (backoff capped at 30 s) and serves again.
          in(router, "iptables", "-D", "FORWARD", "-j", "DROP");
          await().atMost(Duration.ofSeconds(40)).until(() -> pop.tunnels().tunnels().size() == 1);
          // The tunnel is listed a moment before the routing snapshot that routes to it (CI saw one reset there): a client asks again.
          await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() ->
              assertThat(TcpEchoServer.roundTrip(proxy, "back".getBytes(StandardCharsets.US_ASCII))).isEqualTo("back".getBytes(StandardCharsets.US_ASCII)));
          assertThat(pop.tunnels().tunnels().getFirst().transport()).isEqualTo("quic");

          // UDP is blocked on the device (a network that allows only TCP): the QUIC tunnel goes silent,
          // and the agent is back within 30 s over TCP+TLS on the HTTPS edge's port, serving the same bytes.
          in(device, "iptables", "-A", "OUTPUT", "-p", "udp", "-j", "DROP");
          long blocked = System.nanoTime();
          await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> pop.tunnels().tunnels().size() == 1
              && pop.tunnels().tunnels().getFirst().transport().equals("tcp"));
          assertThat(Duration.ofNanos(System.nanoTime() - blocked)).isLessThan(Duration.ofSeconds(30));
          await().atMost(Duration.ofSeconds(5)).ignoreExceptions().until(() -> java.util.Arrays.equals(TcpEchoServer.roundTrip(proxy, sent), sent));
          assertThat(Files.readString(dir.resolve("agent.log"))).contains("over the TCP fallback");
        } catch (Throwable t) { // the agent's side of a failure; its directory goes with the test
          System.out.println("agent.log:\n" + Files.readString(dir.resolve("agent.log")));
          throw t;
        }
      }
    }
  }

  private static void connect(InetSocketAddress target) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(target, 1_000);
    }
  }


  private static String in(Host host, String... command) throws Exception {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", host.namespace()));
    argv.addAll(List.of(command));
    return sh(argv.toArray(String[]::new));
  }

  private static String sh(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("%s: %s", String.join(" ", command), out).isZero();
    return out;
  }
}
