package io.edgeproxy.tools.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeproxy.core.geo.IpNetwork;
import io.edgeproxy.core.testing.net.ProbeAgent;
import io.edgeproxy.replication.tls.ClusterPki;
import io.edgeproxy.tools.wireguard.WgAnnouncement;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WireGuard mesh built by the cluster (issue 15): POPs in their own namespaces with the
 * userspace wireguard-go (this kernel has no WireGuard module), no hand-written configuration. The
 * mesh forms; ping and HTTP work between every pair over overlay addresses; a backend in one POP's
 * subnet is reached through another POP's proxy over the mesh; a POP that joins is everyone's peer
 * within 10 s, one that leaves is removed; a member holding the cluster key but no certificate of
 * the cluster CA never becomes a peer, nor does a row signed by another CA written with sqlite3.
 */
@Timeout(300)
class WireGuardMeshIT {
  private static final int WG_PORT = 51820;
  @TempDir Path dir;

  @Test
  void theClusterBuildsAndKeepsItsOwnWireGuardMesh() throws Exception {
    // wireguard-go's control sockets (/var/run/wireguard/<interface>.sock) are shared by every namespace: names unique per run.
    String run = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    try (FaultPops pops = new FaultPops(dir, "pop-a", "pop-b", "pop-c", "pop-d", "pop-x")) {
      List<String> names = List.of("pop-a", "pop-b", "pop-c", "pop-d", "pop-x");
      for (int i = 0; i < names.size(); i++) {
        FaultPops.Pop p = pops.pop(names.get(i));
        p.inMesh("10.77.0." + (i + 1) + "/24", "wg" + run + i, "--wg-listen-port", String.valueOf(WG_PORT));
        if (p.name.equals("pop-b")) {
          p.extraArgs.addAll(List.of("--wg-subnets", "10.78.2.0/24")); // a backend network behind pop-b, outside the overlay
        }
      }
      FaultPops.Pop a = pops.pop("pop-a");
      FaultPops.Pop b = pops.pop("pop-b");
      FaultPops.Pop c = pops.pop("pop-c");
      FaultPops.Pop d = pops.pop("pop-d");
      FaultPops.Pop x = pops.pop("pop-x");
      for (FaultPops.Pop p : pops.all()) { // the admin endpoint on every address, so HTTP reaches it over the overlay too
        String own = p.ip() + ":" + FaultPops.ADMIN_PORT;
        p.wrap = argv -> argv.stream().map(arg -> arg.equals(own) ? "0.0.0.0:" + FaultPops.ADMIN_PORT : arg).toList();
      }
      Path forgedTls = forgedCredentials(dir, "pop-x");
      String realTls = dir.resolve("tls").toString();
      var adminAnywhere = x.wrap;
      x.wrap = argv -> adminAnywhere.apply(argv).stream().map(arg -> arg.equals(realTls) ? forgedTls.toString() : arg).toList();
      a.start();
      b.start();
      c.start();

      // The mesh forms by itself: every POP has the other two as peers, with a handshake.
      awaitPeers(List.of(a, b, c), Duration.ofSeconds(30));
      for (FaultPops.Pop from : List.of(a, b, c)) {
        for (int to = 1; to <= 3; to++) {
          String overlay = "10.77.0." + to;
          assertThat(ping(from, overlay)).as(from.name + " pings " + overlay).isTrue();
        }
      }
      // HTTP over the overlay between every pair: each POP's admin endpoint, bound to every address.
      for (FaultPops.Pop from : List.of(a, b, c)) {
        for (int to = 1; to <= 3; to++) {
          assertThat(curl(from, "http://10.77.0." + to + ":" + FaultPops.ADMIN_PORT + "/v1/status"))
              .as("curl from " + from.name + " to 10.77.0." + to).isEqualTo("200");
        }
      }

      // The CLI: the running agent's peers, and a wg-quick file of the same mesh.
      String status = cli("wireguard", "status", "--admin", a.ip() + ":" + FaultPops.ADMIN_PORT);
      assertThat(status).contains("interface wg" + run + "0 (wireguard-go), address 10.77.0.1/24").contains("pop-b", "pop-c")
          .contains("10.78.2.0/24");
      String quick = cli("wireguard", "config", "--replication", "--db", a.db().toString(), "--node-id", "pop-a",
          "--tls-dir", dir.resolve("tls").toString(), "--wg", "--wg-address", "10.77.0.1/24", "--wg-interface", "wg" + run + "0");
      assertThat(quick).contains("[Interface]", "Address = 10.77.0.1/24", "ListenPort = 51820", "# pop-b", "# pop-c",
          "AllowedIPs = 10.77.0.2/32, 10.78.2.0/24", "PersistentKeepalive = 25").containsPattern("PrivateKey = [A-Za-z0-9+/]{43}=");
      assertThat(quick.split("\\[Peer]", -1)).hasSize(3);

      measure(a, b);

      // A backend in pop-b's subnet (10.78.2.1, on pop-b only) reached through pop-a's proxy, over the mesh.
      b.host.command(List.of("ip", "address", "add", "10.78.2.1/32", "dev", "lo")).start().waitFor();
      try (ProbeAgent probe = ProbeAgent.start(b.host)) {
        probe.tcpEcho(9000);
        a.sql("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('behind-b', 'web', 'sa', '10.78.2.1', 9000);");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
            .until(() -> echoThrough(a.proxy(), "through the mesh"), "through the mesh"::equals);
        assertThat(routes(a)).contains("10.78.2.0/24 dev wg" + run + "0");
      }

      // wireguard-go killed: the agent makes its interface again and the mesh comes back.
      String bInterface = "wg" + run + "1";
      FaultPops.run("pkill", "-9", "-f", "wireguard-go -f " + bInterface + "$");
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
          .until(() -> ping(a, "10.77.0.2") && ping(b, "10.77.0.1"));
      assertThat(b.log()).contains("wireguard: interface " + bInterface + " is gone");
      // The agent killed (kill -9): its interface and wireguard-go stay behind, and go on carrying traffic; the restarted
      // agent takes them over as they are.
      b.kill();
      assertThat(interfaces(b)).as("left behind by the killed agent").contains(bInterface);
      b.start();
      awaitPeers(List.of(a, b, c), Duration.ofSeconds(20));
      assertThat(ping(c, "10.77.0.2")).isTrue();
      assertThat(b.log()).contains("wireguard: taking over interface " + bInterface + " from an earlier agent of this POP");
      assertThat(wireGuardGoProcesses(bInterface)).as("one wireguard-go serves the interface, the one taken over").isEqualTo(1);

      // A member with the cluster key but a certificate of another CA: up in membership, never a peer.
      x.start();
      // ... nor is a row for it signed by that other CA, written by hand on a real POP (so it replicates everywhere).
      String forgedRow = forgedAnnouncement(forgedTls, "pop-x");
      a.sql("INSERT INTO wireguard_peers (node, announcement) VALUES ('pop-x', '" + forgedRow.replace("'", "''") + "');");
      await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
        for (FaultPops.Pop p : List.of(a, b, c)) {
          assertThat(wireGuard(p).path("rejected").path("pop-x").asText())
              .as(p.name + " refuses pop-x's row").startsWith("its certificate is not one of this cluster's CA");
        }
      });

      // A fourth POP joins: within 10 s every other POP has it as a peer (and it has them).
      long joined = System.nanoTime();
      d.start();
      awaitPeers(List.of(a, b, c, d), Duration.ofSeconds(10));
      long joinMs = (System.nanoTime() - joined) / 1_000_000;
      assertThat(ping(a, "10.77.0.4")).isTrue();
      assertThat(ping(d, "10.77.0.2")).isTrue();
      System.out.println("wireguard: pop-d a peer of every POP " + joinMs + " ms after its agent started");
      for (FaultPops.Pop p : List.of(a, b, c, d)) {
        assertThat(peerNodes(p)).as(p.name + " never peers with the forged member").doesNotContain("pop-x", "?");
      }

      // A POP that changes (restarted with a subnet more): every other POP updates its peer, without losing it.
      d.agent.destroy();
      d.agent.waitFor();
      d.extraArgs.addAll(List.of("--wg-subnets", "10.78.4.0/24"));
      d.start();
      await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
        for (FaultPops.Pop p : List.of(a, b, c)) {
          assertThat(allowedIps(p, "pop-d")).as(p.name + "'s peer pop-d").containsExactlyInAnyOrder("10.77.0.4/32", "10.78.4.0/24");
          assertThat(routes(p)).contains("10.78.4.0/24 dev wg" + run + names.indexOf(p.name) + " proto 247");
        }
      });

      // A POP that leaves (SIGTERM: it leaves the cluster) is removed from every other POP's peers.
      c.agent.destroy();
      c.agent.waitFor();
      await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
        for (FaultPops.Pop p : List.of(a, b, d)) {
          assertThat(peerNodes(p)).as(p.name + "'s peers").doesNotContain("pop-c");
        }
      });
      assertThat(ping(a, "10.77.0.3")).isFalse();
      // Retired for good: its row is forgotten everywhere. A POP that runs writes its row again at once.
      cli("wireguard", "forget", "pop-c", "--db", a.db().toString(), "--admin", a.ip() + ":" + FaultPops.ADMIN_PORT);
      cli("wireguard", "forget", "pop-b", "--db", a.db().toString(), "--admin", a.ip() + ":" + FaultPops.ADMIN_PORT);
      await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
        for (FaultPops.Pop p : List.of(a, b, d)) {
          assertThat(p.sql("SELECT group_concat(node) FROM (SELECT node FROM wireguard_peers WHERE node IN ('pop-b', 'pop-c')"
              + " ORDER BY node);").strip()).as(p.name).isEqualTo("pop-b");
        }
      });
      assertThat(interfaces(c)).as("pop-c's agent removed its interface").doesNotContain("wg" + run + "2");
      assertThat(a.log()).doesNotContain(Files.readString(a.db().resolveSibling("routing.db.wg-key")).lines().findFirst().orElseThrow());
    }
  }

  /**
   * The figures of docs/benchmarks.md (printed, not asserted): round-trip time and echo throughput
   * from pop-a to pop-b over their plain link and over the overlay.
   */
  private static void measure(FaultPops.Pop a, FaultPops.Pop b) throws IOException, InterruptedException {
    try (ProbeAgent server = ProbeAgent.start(b.host); ProbeAgent client = ProbeAgent.start(a.host)) {
      int port = server.tcpEcho(9001).getPort();
      for (String[] path : new String[][] {{"plain link", b.ip()}, {"overlay", "10.77.0.2"}}) {
        InetSocketAddress target = new InetSocketAddress(path[1], port);
        client.tcp(target, 1 << 20, Duration.ofSeconds(10)); // warm-up
        int bytes = 32 << 20;
        long start = System.nanoTime();
        var trip = client.tcp(target, bytes, Duration.ofSeconds(60));
        double secs = (System.nanoTime() - start) / 1e9;
        Process ping = a.host.command(List.of("ping", "-q", "-c", "50", "-i", "0.02", path[1])).redirectErrorStream(true).start();
        String summary = new String(ping.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
            .filter(l -> l.startsWith("rtt")).findFirst().orElse("no ping summary");
        ping.waitFor();
        System.out.printf("wireguard figures, %s: %d MiB echoed (intact %s) in %.2f s = %.1f MB/s each way; ping %s%n", path[0],
            bytes >> 20, trip.intact(), secs, bytes / secs / 1e6, summary);
      }
    }
  }

  /** Runs the packaged CLI with {@code args} in this namespace; its output (exit status 0 asserted). */
  static String cli(String... args) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar",
        Path.of("target/edgeproxy.jar").toAbsolutePath().toString()));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(String.join(" ", args) + ":\n" + out).isZero();
    return out;
  }

  private static long wireGuardGoProcesses(String name) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("pgrep", "-f", "wireguard-go -f " + name + "$").redirectErrorStream(true).start();
    long count = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().count();
    p.waitFor();
    return count;
  }

  /** Waits until every POP in {@code group} has every other as a peer, each with a handshake. */
  static void awaitPeers(List<FaultPops.Pop> group, Duration within) {
    await().atMost(within).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      for (FaultPops.Pop p : group) {
        Set<String> expected = new TreeSet<>();
        group.stream().filter(o -> o != p).forEach(o -> expected.add(o.name));
        JsonNode wg = wireGuard(p);
        Set<String> handshaken = new TreeSet<>();
        for (JsonNode peer : wg.path("peers")) {
          if (peer.path("latestHandshakeEpochSecs").asLong() > 0) {
            handshaken.add(peer.path("node").asText());
          }
        }
        assertThat(handshaken).as(p.name + "'s peers with a handshake").containsAll(expected);
      }
    });
  }

  private static List<String> allowedIps(FaultPops.Pop p, String node) {
    List<String> out = new ArrayList<>();
    for (JsonNode peer : wireGuard(p).path("peers")) {
      if (peer.path("node").asText().equals(node)) {
        peer.path("allowedIps").forEach(a -> out.add(a.asText()));
      }
    }
    return out;
  }

  static JsonNode wireGuard(FaultPops.Pop p) {
    return p.admin("/v1/status").path("wireGuard");
  }

  private static Set<String> peerNodes(FaultPops.Pop p) {
    Set<String> out = new TreeSet<>();
    wireGuard(p).path("peers").forEach(peer -> out.add(peer.path("node").asText()));
    return out;
  }

  static boolean ping(FaultPops.Pop from, String address) throws IOException, InterruptedException {
    return from.host.command(List.of("ping", "-c", "1", "-W", "2", address)).start().waitFor() == 0;
  }

  private static String curl(FaultPops.Pop from, String url) throws IOException, InterruptedException {
    return output(from, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", url);
  }

  static String routes6(FaultPops.Pop p) throws IOException, InterruptedException {
    return output(p, "ip", "-6", "route");
  }

  static String routes(FaultPops.Pop p) throws IOException, InterruptedException {
    return output(p, "ip", "route");
  }

  static String interfaces(FaultPops.Pop p) throws IOException, InterruptedException {
    return output(p, "ip", "-o", "link");
  }

  /** What {@code argv} prints (stdout and stderr) run in {@code p}'s namespace. */
  private static String output(FaultPops.Pop p, String... argv) throws IOException, InterruptedException {
    Process run = p.host.command(List.of(argv)).redirectErrorStream(true).start();
    String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    run.waitFor();
    return out;
  }

  /** Sends {@code text} through {@code proxy} to an echo backend; what came back, or "". */
  static String echoThrough(InetSocketAddress proxy, String text) {
    try (Socket s = new Socket()) {
      s.connect(proxy, 1_000);
      s.setSoTimeout(2_000);
      OutputStream out = s.getOutputStream();
      out.write(text.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] got = in.readNBytes(text.length());
      return new String(got, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return "";
    }
  }

  /** A node certificate for {@code node} from a CA of its own, beside the real cluster key (so gossip lets it in). */
  private static Path forgedCredentials(Path dir, String node) throws IOException {
    Path forged = dir.resolve("forged-tls");
    ClusterPki.init(forged, "faults", List.of(node));
    Files.copy(dir.resolve("tls").resolve(ClusterPki.CLUSTER_KEY), forged.resolve(ClusterPki.CLUSTER_KEY),
        StandardCopyOption.REPLACE_EXISTING);
    return forged;
  }

  private static String forgedAnnouncement(Path forgedTls, String node) {
    ClusterPki.Identity id = ClusterPki.load(forgedTls.resolve(node + ".crt"), forgedTls.resolve(node + ".key"));
    List<IpNetwork> subnets = new ArrayList<>(List.of(IpNetwork.parse("10.77.0.0/24").orElseThrow())); // it would take the overlay
    return new WgAnnouncement(node, "CPlTaPZDU4Jknm//6PES/cgSpInsMHtuoOoC6HqN700=", "10.6.6.6:51820", "10.77.0.9/24", subnets,
        System.currentTimeMillis()).sign(id.certificate(), id.key());
  }
}
