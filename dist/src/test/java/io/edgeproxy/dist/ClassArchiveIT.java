package io.edgeproxy.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.testing.LocalPorts;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class-data-sharing archive when several agents of one install run at once (a
 * reload's two agents, several POPs on one host, a test suite). Each JVM started to write the
 * archive used to write it as it exited; agents stopped together wrote one file together, and every
 * agent started afterwards died at start mapping it (SIGSEGV in {@code AOTClassLocationConfig::validate},
 * seen in the replication benchmark). Now one JVM at a time may write it.
 */
@Timeout(300)
class ClassArchiveIT {
  private static final int AGENTS = 4;
  @TempDir Path tmp;

  @Test
  void agentsStartedAndStoppedTogetherLeaveOneWriterAndAllStartAgainOnTheArchive() throws Exception {
    Path dir = Packages.unpackTarball(tmp);
    Path home = Files.createDirectory(tmp.resolve("home"));
    Path cache = home.resolve(".cache/edgeproxy");

    List<Agent> first = startAll(dir, home, "first");
    try {
      for (Agent a : first) {
        a.awaitStatus();
      }
      assertThat(first).as("JVMs allowed to write the archive (no archive yet, %d agents at once)", AGENTS)
          .filteredOn(a -> a.arguments().contains("-XX:+AutoCreateSharedArchive")).hasSize(1);
      stopAll(first); // together: the writer writes the archive as it exits, alone
    } finally {
      for (Agent a : first) {
        a.close();
      }
    }
    List<Path> archives;
    try (var files = Files.list(cache)) {
      archives = files.filter(f -> f.toString().endsWith(".jsa")).toList();
    }
    assertThat(archives).hasSize(1);
    String mapped = "-XX:SharedArchiveFile=" + archives.getFirst();

    List<Agent> second = startAll(dir, home, "second");
    try {
      for (Agent a : second) {
        a.awaitStatus(); // fails at once if the agent died at start
        assertThat(a.arguments()).as("every agent maps the archive, one of them as its writer").contains(mapped);
      }
      stopAll(second);
      for (Agent a : second) {
        assertThat(a.log()).doesNotContain("A fatal error has been detected");
      }
    } finally {
      for (Agent a : second) {
        a.close();
      }
    }
  }

  private List<Agent> startAll(Path dir, Path home, String round) throws Exception {
    List<Agent> agents = new ArrayList<>();
    for (int i = 0; i < AGENTS; i++) {
      InetSocketAddress admin = LocalPorts.tcp();
      ProcessBuilder command = new ProcessBuilder(dir.resolve("bin/edgeproxy").toString(), "agent").directory(tmp.toFile());
      command.environment().clear();
      command.environment().putAll(Map.of("PATH", "/usr/bin:/bin", "HOME", home.toString(),
          "EDGEPROXY_LISTEN_ADDR", LocalPorts.format(LocalPorts.tcp()), "EDGEPROXY_ADMIN_ADDR", LocalPorts.format(admin),
          "EDGEPROXY_DB_PATH", tmp.resolve("routing-" + i + ".db").toString()));
      agents.add(Agent.start(command, tmp.resolve(round + "-" + i + ".log").toFile(), admin));
    }
    return agents;
  }

  private static void stopAll(List<Agent> agents) throws InterruptedException {
    agents.forEach(Agent::signalStop);
    for (Agent a : agents) {
      assertThat(a.stop()).as(a::log).isEqualTo(143);
    }
  }
}
