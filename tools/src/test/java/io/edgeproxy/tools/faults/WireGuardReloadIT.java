package io.edgeproxy.tools.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.tools.handover.HandOverClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code edgeproxy reload} of a POP in the mesh: the new agent takes the WireGuard interface over
 * as it is, so the overlay carries traffic throughout; the old agent leaves it when it exits.
 */
@Timeout(180)
class WireGuardReloadIT {
  @TempDir Path dir;

  @Test
  void aReloadKeepsTheOverlayUp() throws Exception {
    String run = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    String aInterface = "wr" + run + "a";
    try (FaultPops pops = new FaultPops(dir, "pop-a", "pop-b")) {
      FaultPops.Pop a = pops.pop("pop-a");
      FaultPops.Pop b = pops.pop("pop-b");
      a.inMesh("10.80.0.1/24", aInterface, "--drain-secs", "2");
      b.inMesh("10.80.0.2/24", "wr" + run + "b");
      a.start();
      b.start();
      WireGuardMeshIT.awaitPeers(List.of(a, b), Duration.ofSeconds(30));

      // pop-b pings pop-a's overlay address every 50 ms for 12 s while pop-a is reloaded.
      Process ping = b.host.command(List.of("ping", "-i", "0.05", "-w", "12", "-W", "1", "10.80.0.1")).redirectErrorStream(true).start();
      Thread.sleep(1_500);
      // To a file, not a pipe read to its end: the new agent inherits reload's output (its log then
      // goes where reload's went, as under systemd) and holds it open as long as it runs.
      Path reloadLog = dir.resolve("reload.log");
      Process reload = a.host.command(a.command("reload")).redirectErrorStream(true).redirectOutput(reloadLog.toFile()).start();
      assertThat(reload.waitFor(120, TimeUnit.SECONDS)).isTrue();
      String said = java.nio.file.Files.readString(reloadLog);
      assertThat(reload.exitValue()).as(said).isZero();
      long serving = HandOverClient.servingPid(a.db()).orElseThrow();
      try {
        assertThat(serving).isNotEqualTo(a.agent.pid());
        assertThat(a.agent.waitFor(30, TimeUnit.SECONDS)).as("the old agent exits after its drain").isTrue();
        String pinged = new String(ping.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ping.waitFor();
        Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(pinged);
        assertThat(m.find()).as(pinged).isTrue();
        int sent = Integer.parseInt(m.group(1));
        int lost = sent - Integer.parseInt(m.group(2));
        System.out.println("wireguard: through a reload, " + lost + " of " + sent + " pings over the overlay lost");
        assertThat(sent).isGreaterThan(100);
        assertThat(lost).as(pinged).isLessThanOrEqualTo(1);
        assertThat(WireGuardMeshIT.interfaces(a)).as("the interface is the new agent's now")
            .contains(aInterface).contains("alias edgeproxy:pop-a:" + serving);
        assertThat(WireGuardMeshIT.ping(b, "10.80.0.1")).isTrue();
        assertThat(ProcessHandle.of(serving).map(ProcessHandle::isAlive)).as("the new agent still runs; its log:%n%s",
            java.nio.file.Files.readString(reloadLog)).contains(true);
      } finally {
        ProcessHandle.of(serving).ifPresent(ProcessHandle::destroy);
      }
    }
  }
}
