package io.edgeproxy.tools.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A POP whose operator runs the WireGuard interface (EDGEPROXY_WG_MANAGE_INTERFACE=false): its
 * agent only publishes its announcement; {@code edgeproxy wireguard config} prints a wg-quick file
 * that the real {@code wg-quick} brings up, and the mesh with an agent-run POP works.
 */
@Timeout(180)
class WireGuardOperatorIT {
  @TempDir Path dir;

  @Test
  void wgQuickRunsTheFileTheCliPrints() throws Exception {
    String run = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    String bInterface = "wq" + run + "b";
    try (FaultPops pops = new FaultPops(dir, "pop-a", "pop-b")) {
      FaultPops.Pop a = pops.pop("pop-a");
      FaultPops.Pop b = pops.pop("pop-b");
      a.inMesh("10.79.0.1/24", "wq" + run + "a");
      List<String> bWg = List.of("--wg", "--wg-address", "10.79.0.2/24", "--wg-interface", bInterface,
          "--wg-manage-interface", "false"); // the agent's options, and the CLI's below
      b.extraArgs.addAll(bWg);
      a.start();
      b.start();
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
          .until(() -> WireGuardMeshIT.wireGuard(a).path("peers").toString().contains("\"pop-b\""));
      assertThat(WireGuardMeshIT.wireGuard(b).path("kind").asText()).isEqualTo("run by the operator");
      assertThat(WireGuardMeshIT.interfaces(b)).as("pop-b's agent made no interface").doesNotContain(bInterface);

      List<String> args = new ArrayList<>(List.of("wireguard", "config", "--replication", "--db", b.db().toString(),
          "--node-id", "pop-b", "--tls-dir", dir.resolve("tls").toString()));
      args.addAll(bWg);
      String file = WireGuardMeshIT.cli(args.toArray(String[]::new));
      Path conf = dir.resolve(bInterface + ".conf");
      Files.createFile(conf, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(conf, file);
      try {
        Process up = b.host.command(List.of("wg-quick", "up", conf.toString())).redirectErrorStream(true).start();
        String said = new String(up.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(up.waitFor()).as(said).isZero();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
            .until(() -> WireGuardMeshIT.ping(b, "10.79.0.1") && WireGuardMeshIT.ping(a, "10.79.0.2"));
        JsonNode shown = WireGuardMeshIT.wireGuard(b).path("peers").get(0);
        assertThat(shown.path("node").asText()).isEqualTo("pop-a");
        assertThat(shown.path("latestHandshakeEpochSecs").asLong()).as("read from the operator's interface").isPositive();

        // An agent told to run the interface never touches the operator's: it refuses to start, saying why.
        assertThat(agentThatFails(b, dir.resolve("other.db"), System.getenv("PATH"), "--wg", "--wg-address", "10.79.0.2/24",
            "--wg-interface", bInterface)).contains("interface " + bInterface + " exists and was not made by this POP");
        // Nor does one that finds neither kernel WireGuard nor wireguard-go: it names what is missing.
        Path tools = Files.createDirectories(dir.resolve("only-ip-and-wg"));
        Files.createSymbolicLink(tools.resolve("ip"), Path.of("/usr/sbin/ip").toRealPath());
        Files.createSymbolicLink(tools.resolve("wg"), Path.of("/usr/bin/wg").toRealPath());
        assertThat(agentThatFails(b, dir.resolve("third.db"), tools.toString(), "--wg", "--wg-address", "10.79.0.2/24",
            "--wg-interface", "wq" + run + "n")).contains("this kernel has no WireGuard", "wireguard-go (Debian package wireguard-go)"
            + " is not installed");
      } finally {
        b.host.command(List.of("wg-quick", "down", conf.toString())).redirectErrorStream(true).start().waitFor();
      }
    }
  }

  /** An agent for pop-b's node on another routing.db and ports, with {@code path} as PATH: its output once it exited non-zero. */
  private String agentThatFails(FaultPops.Pop b, Path db, String path, String... wg) throws Exception {
    List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar",
        Path.of("target/edgeproxy.jar").toAbsolutePath().toString(), "agent", "--db", db.toString(), "--listen",
        b.ip() + ":18080", "--admin", "", "--replication", "--node-id", "pop-b", "--tls-dir", dir.resolve("tls").toString(),
        "--gossip-addr", b.ip() + ":14001", "--transport-addr", b.ip() + ":14002"));
    argv.addAll(List.of(wg));
    ProcessBuilder builder = b.host.command(argv).redirectErrorStream(true);
    builder.environment().put("PATH", path);
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isNotZero();
    return out;
  }
}
