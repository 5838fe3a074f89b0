package io.edgeproxy.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.testing.LocalPorts;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The package's drop-in for the WireGuard mesh ({@code /usr/share/edgeproxy/systemd/wireguard.conf}),
 * part of {@link DebPackageIT}: linked where docs/wireguard.md says, systemd-analyze takes the unit
 * with it; the agent started as the unit with it starts it (its user, the merged capabilities)
 * makes its interface with wireguard-go and removes it on SIGTERM; without the drop-in it refuses
 * to start, naming the capability and the drop-in.
 */
final class WireGuardUnit {
  static final Path DROP_IN = Path.of("/usr/share/edgeproxy/systemd/wireguard.conf");
  private static final Path UNIT = Path.of("/lib/systemd/system/edgeproxy.service");
  private static final Path RUN_DIR = Path.of("/run/wireguard");
  private static final Path TUN = Path.of("/dev/net/tun");

  private WireGuardUnit() {}

  static void runTheMeshAsTheUnitWithItsDropInDoes(Path tmp) throws Exception {
    Path dir = Path.of("/etc/systemd/system/edgeproxy.service.d");
    Path link = dir.resolve("wireguard.conf");
    Files.createDirectories(dir);
    Files.createSymbolicLink(link, DROP_IN);
    try {
      Commands.Run verify = Commands.run("systemd-analyze", "verify", UNIT.toString());
      assertThat(verify.exit()).as(verify.out()).isZero();
      assertThat(verify.out()).isEmpty();
    } finally {
      Files.delete(link);
      Files.delete(dir);
    }

    Commands.run("runuser", "-u", "edgeproxy", "--", "/usr/bin/edgeproxy", "certs", "init", "--dir", "/var/lib/edgeproxy/tls",
        "--nodes", "pop-1").ok();
    String name = "wgdeb" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    InetSocketAddress listen = LocalPorts.tcp();
    InetSocketAddress admin = LocalPorts.tcp();
    Map<String, String> mesh = Map.of("EDGEPROXY_REPLICATION_ENABLED", "1", "EDGEPROXY_REPLICATION_NODE_ID", "pop-1",
        "EDGEPROXY_REPLICATION_TLS_DIR", "/var/lib/edgeproxy/tls", "EDGEPROXY_REPLICATION_ADVERTISE_HOST", "127.0.0.1",
        "EDGEPROXY_REPLICATION_GOSSIP_ADDR", LocalPorts.format(LocalPorts.tcp()),
        "EDGEPROXY_REPLICATION_TRANSPORT_ADDR", LocalPorts.format(LocalPorts.udp()),
        "EDGEPROXY_WG_ENABLED", "1", "EDGEPROXY_WG_ADDRESS", "10.251.7.1/24", "EDGEPROXY_WG_INTERFACE", name,
        "EDGEPROXY_WG_LISTEN_PORT", String.valueOf(LocalPorts.udp().getPort()));

    // Without the drop-in: refused at start, saying what is missing and where the drop-in is.
    ProcessBuilder plain = DebPackageIT.serviceProcess(UnitFile.read(UNIT), "ExecStart", listen, admin, true);
    plain.environment().putAll(mesh);
    try (Agent agent = Agent.start(plain, tmp.resolve("wg-denied.log").toFile(), admin)) {
      assertThat(agent.awaitExit()).as(agent::log).isNotZero();
      assertThat(agent.log()).contains("lacks CAP_NET_ADMIN", DROP_IN.toString());
    }

    // The drop-in's ExecStartPre, as systemd runs a "+" line: as root, outside the sandbox.
    String owner = Files.exists(RUN_DIR) ? Commands.run("stat", "-c", "%U:%G %a", RUN_DIR.toString()).ok().out().strip() : null;
    UnitFile unit = UnitFile.read(UNIT).with(DROP_IN);
    for (String pre : unit.values("ExecStartPre")) {
      assertThat(pre).startsWith("+");
      Commands.run(pre.substring(1).split("\\s+")).ok();
    }
    assertThat(Commands.run("stat", "-c", "%U:%G %a", RUN_DIR.toString()).ok().out().strip()).isEqualTo("root:edgeproxy 1770");
    ProcessBuilder withDropIn = DebPackageIT.serviceProcess(unit, "ExecStart", listen, admin, true);
    withDropIn.environment().putAll(mesh);
    // A host whose /dev/net/tun only root may open (no udev rule): a clear refusal, not wireguard-go's exit status.
    String tunMode = Commands.run("stat", "-c", "%a", TUN.toString()).ok().out().strip();
    try {
      Commands.run("chmod", "0600", TUN.toString()).ok();
      try (Agent agent = Agent.start(withDropIn, tmp.resolve("wg-no-tun.log").toFile(), admin)) {
        assertThat(agent.awaitExit()).as(agent::log).isNotZero();
        assertThat(agent.log()).contains(TUN + " is not readable and writable by user edgeproxy (rw------- root:root)",
            "chmod 0666");
      }
      Commands.run("chmod", "0666", TUN.toString()).ok(); // what udev's default rule sets
      runTheMesh(withDropIn, tmp, admin, name);
    } finally {
      Commands.run("chmod", tunMode, TUN.toString());
      Commands.run("ip", "link", "del", "dev", name);
      if (owner == null) {
        Commands.run("rm", "-rf", RUN_DIR.toString());
      } else {
        Commands.run("chown", owner.split(" ")[0], RUN_DIR.toString());
        Commands.run("chmod", owner.split(" ")[1], RUN_DIR.toString());
      }
    }
  }

  private static void runTheMesh(ProcessBuilder withDropIn, Path tmp, InetSocketAddress admin, String name) throws Exception {
    try (Agent agent = Agent.start(withDropIn, tmp.resolve("wg-agent.log").toFile(), admin)) {
      agent.awaitStatus();
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
          .untilAsserted(() -> assertThat(Commands.run("ip", "-o", "link", "show", "dev", name).out())
              .as(agent::log).contains("alias edgeproxy:pop-1:"));
      assertThat(Commands.run("pgrep", "-u", "edgeproxy", "-f", "wireguard-go -f " + name).exit())
          .as("wireguard-go runs as the service's user").isZero();
      assertThat(Commands.run("ip", "-o", "address", "show", "dev", name).out()).contains("10.251.7.1/24");
      agent.stop();
      assertThat(Commands.run("ip", "link", "show", "dev", name).exit()).as("the interface is gone with the agent").isNotZero();
    }
  }
}
