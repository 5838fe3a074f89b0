package io.edgeproxy.tools.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.testing.net.ProbeAgent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An IPv6 overlay (Fly's 6PN: fdaa::/16 addresses) over an IPv4 network: two POPs in their own
 * namespaces build it by themselves; a backend on an IPv6 address of pop-b's subnet is proxied
 * through pop-a over the mesh, and pop-a's DNS answers its name with that AAAA record.
 */
@Timeout(180)
class WireGuardIpv6IT {
  @TempDir Path dir;

  @Test
  void aBackendOnAnIpv6OverlayAddressIsProxiedAndAnsweredAsAaaa() throws Exception {
    String run = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    try (FaultPops pops = new FaultPops(dir, "pop-a", "pop-b")) {
      FaultPops.Pop a = pops.pop("pop-a");
      FaultPops.Pop b = pops.pop("pop-b");
      a.inMesh("fdaa:0:1::1/48", "w6" + run + "a", "--dns", "--dns-listen", a.ip() + ":5353");
      b.inMesh("fdaa:0:1::2/48", "w6" + run + "b", "--wg-subnets", "fdaa:0:2::/64"); // outside the overlay's /48: routed into the interface by pop-a
      a.start();
      b.start();
      WireGuardMeshIT.awaitPeers(List.of(a, b), Duration.ofSeconds(30));
      assertThat(WireGuardMeshIT.ping(a, "fdaa:0:1::2")).isTrue();
      assertThat(WireGuardMeshIT.routes6(a)).contains("fdaa:0:2::/64 dev w6" + run + "a");

      b.host.command(List.of("ip", "-6", "address", "add", "fdaa:0:2::7/128", "dev", "lo")).start().waitFor();
      try (ProbeAgent probe = ProbeAgent.start(b.host)) {
        probe.tcpEcho(9000);
        a.sql("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('six', 'web', 'sa', 'fdaa:0:2::7', 9000);");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
            .until(() -> WireGuardMeshIT.echoThrough(a.proxy(), "over 6PN"), "over 6PN"::equals);
      }
      Process dig = new ProcessBuilder("dig", "@" + a.ip(), "-p", "5353", "+short", "AAAA", "web.internal").start();
      String answer = new String(dig.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      dig.waitFor();
      assertThat(answer).isEqualTo("fdaa:0:2::7");
    }
  }
}
