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
      a.extraArgs.addAll(List.of("--wg", "--wg-address", "10.79.0.1/24", "--wg-interface", "wq" + run + "a"));
      List<String> bWg = List.of("--wg", "--wg-address", "10.79.0.2/24", "--wg-interface", bInterface,
          "--wg-manage-interface", "false");
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
      } finally {
        b.host.command(List.of("wg-quick", "down", conf.toString())).redirectErrorStream(true).start().waitFor();
      }
    }
  }
}
