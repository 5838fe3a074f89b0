package io.edgeproxy.core.testing.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What is left on the machine after a lab ends: nothing, however its JVM ended. */
@Timeout(120)
class NetworkLabCleanupIT {

  @Test
  void closeRemovesEverythingAndMayBeRepeated() throws Exception {
    NetworkLab lab = NetworkLab.create();
    Host host = lab.addHost("one");
    lab.addHost("two");
    lab.partition(host, lab.hosts().get(1));
    Process sleeper = host.start(List.of("sleep", "600"));
    assertThat(leftovers(lab.runId())).isNotEmpty();

    lab.close();
    lab.close();

    assertThat(sleeper.isAlive()).isFalse();
    assertThat(leftovers(lab.runId())).isEmpty();
  }

  @Test
  void shutdownHookCleansUpWhenTheJvmIsStopped() throws Exception {
    Owner owner = Owner.start();

    owner.process().destroy(); // SIGTERM: the JVM exits normally and runs its shutdown hooks.

    assertThat(owner.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(leftovers(owner.runId())).isEmpty();
    assertThat(ProcessHandle.of(owner.sleeperPid()).filter(ProcessHandle::isAlive)).isEmpty();
  }

  @Test
  void nextLabRemovesWhatAKilledJvmLeft() throws Exception {
    Owner owner = Owner.start();
    owner.process().destroyForcibly(); // SIGKILL: no hook runs.
    assertThat(owner.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(leftovers(owner.runId())).isNotEmpty();

    NetworkLab.create().close();

    assertThat(leftovers(owner.runId())).isEmpty();
    assertThat(ProcessHandle.of(owner.sleeperPid()).filter(ProcessHandle::isAlive)).isEmpty();
  }

  /** A {@link LabOwnerMain} JVM, after it printed its run id and its sleeper's pid. */
  private record Owner(Process process, String runId, long sleeperPid) {
    static Owner start() throws Exception {
      Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
          "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
          LabOwnerMain.class.getName())
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      String line = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
          .readLine();
      assertThat(line).as("LabOwnerMain's first line").isNotNull();
      String[] fields = line.split(" ");
      return new Owner(process, fields[0], Long.parseLong(fields[1]));
    }
  }

  /** Every namespace, link, root iptables rule and marker of {@code runId} still on the machine. */
  private static List<String> leftovers(String runId) {
    String state = Shell.run(List.of("ip", "netns", "list")) + Shell.run(List.of("ip", "-o", "link", "show"))
        + Shell.run(List.of("iptables", "-w", "-S"));
    Stream<String> marker = Files.exists(LabRegistry.DIRECTORY.resolve(runId)) ? Stream.of("marker " + runId)
        : Stream.empty();
    return Stream.concat(state.lines().filter(line -> line.contains(runId)), marker).toList();
  }
}
