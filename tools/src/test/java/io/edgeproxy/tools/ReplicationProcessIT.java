package io.edgeproxy.tools;

import static io.edgeproxy.core.testing.Sqlite3Cli.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.testing.LocalPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three agents as separate JVM processes (the packaged jar, started as a user would): one is
 * killed with SIGKILL while rows are being written, writes continue, it is started again on the
 * same routing.db, and every POP ends with the same rows.
 */
@Timeout(180)
class ReplicationProcessIT {
  private static final Path JAR = Path.of("target/edgeproxy.jar");
  @TempDir Path dir;

  private Process agent(int node, int gossipPort, String seeds) throws IOException {
    return edgeproxy("agent", node, gossipPort, seeds);
  }

  /** {@code edgeproxy <verb>} (agent, reload) with node {@code node}'s options, its output appended to its agent.log. */
  private Process edgeproxy(String verb, int node, int gossipPort, String seeds) throws IOException {
    Path home = dir.resolve("pop-" + node);
    Files.createDirectories(home);
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC", "-jar", JAR.toAbsolutePath().toString(), verb,
        "--listen", "127.0.0.1:0", "--db", home.resolve("routing.db").toString(), "--region", "sa",
        "--replication", "--node-id", "pop-" + node, "--tls-dir", dir.resolve("tls").toString(),
        "--cluster-name", "proc-test", "--gossip-addr", "127.0.0.1:" + gossipPort, "--transport-addr", "127.0.0.1:0",
        "--advertise-host", "127.0.0.1", "--gossip-interval-ms", "50", "--sync-interval-ms", "300", "--admin", "127.0.0.1:0"));
    if (!seeds.isEmpty()) {
      command.addAll(List.of("--bootstrap-peers", seeds));
    }
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("agent.log").toFile())).start();
  }

  /** The agent logged that replication is running (so routing.db is migrated). */
  private boolean up(int node) throws IOException {
    Path log = dir.resolve("pop-" + node).resolve("agent.log");
    return Files.exists(log) && Files.readString(log).contains("replication up");
  }

  private Path db(int node) {
    return dir.resolve("pop-" + node).resolve("routing.db");
  }

  private static String content(Path db) {
    return exec(db, "SELECT count(*), coalesce(sum(port), 0), group_concat(id || ':' || port || ':' || healthy, ',')"
        + " FROM (SELECT * FROM backends ORDER BY id);");
  }

  private void certs(String nodes) throws Exception {
    Process certs = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
        JAR.toAbsolutePath().toString(), "certs", "init", "--dir", dir.resolve("tls").toString(),
        "--nodes", nodes, "--cluster-name", "proc-test").redirectErrorStream(true).start();
    assertThat(certs.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(certs.exitValue()).isZero();
  }

  /**
   * A POP reloaded (edgeproxy reload: a new agent takes over) while both POPs keep writing: the old
   * agent leaves the cluster and stops capturing before the new one captures under the same node
   * id and joins on the same gossip port; every row written on either side, before, during and
   * after, reaches the other.
   */
  @Test
  void aPopReloadedMidWritesKeepsReplicatingBothWays() throws Exception {
    certs("pop-0,pop-1");
    int[] gossip = {LocalPorts.tcp().getPort(), LocalPorts.tcp().getPort()};
    String seed = "127.0.0.1:" + gossip[0];
    Process[] agents = {agent(0, gossip[0], ""), agent(1, gossip[1], seed)};
    ProcessHandle next = null;
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> up(0) && up(1));
      AtomicBoolean writing = new AtomicBoolean(true);
      AtomicInteger written = new AtomicInteger();
      Thread writer = Thread.ofVirtual().start(() -> {
        for (int i = 0; writing.get(); i++) {
          exec(db(i % 2), "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('r" + i + "', 'web', 'sa', '10.0.0.1', "
              + (3000 + i) + ");");
          written.incrementAndGet();
        }
      });
      await().atMost(Duration.ofSeconds(30)).until(() -> written.get() >= 30);
      Process reload = edgeproxy("reload", 1, gossip[1], seed);
      assertThat(reload.waitFor(120, TimeUnit.SECONDS)).isTrue();
      String log = Files.readString(dir.resolve("pop-1").resolve("agent.log"));
      assertThat(reload.exitValue()).as(log).isZero();
      java.util.regex.Matcher took = java.util.regex.Pattern.compile("agent pid (\\d+) took over from pid " + agents[1].pid())
          .matcher(log);
      assertThat(took.find()).as(log).isTrue();
      next = ProcessHandle.of(Long.parseLong(took.group(1))).orElseThrow();
      assertThat(agents[1].waitFor(60, TimeUnit.SECONDS)).as("the old agent exits").isTrue();
      assertThat(agents[1].exitValue()).isZero();
      int atReload = written.get();
      await().atMost(Duration.ofSeconds(30)).until(() -> written.get() >= atReload + 40);
      writing.set(false);
      writer.join();

      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
        assertThat(content(db(1))).isEqualTo(content(db(0)));
      });
      assertThat(content(db(0))).startsWith(written.get() + "|");
    } finally {
      if (next != null) {
        next.destroy();
        next.onExit().get(30, TimeUnit.SECONDS);
      }
      for (Process p : agents) {
        p.destroy();
      }
      for (Process p : agents) {
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  @Test
  void aNodeKilledMidWritesCatchesUpAfterRestart() throws Exception {
    certs("pop-0,pop-1,pop-2");

    int[] gossip = {LocalPorts.tcp().getPort(), LocalPorts.tcp().getPort(), LocalPorts.tcp().getPort()};
    String seed = "127.0.0.1:" + gossip[0];
    Process[] agents = {agent(0, gossip[0], ""), agent(1, gossip[1], seed), agent(2, gossip[2], seed)};
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> up(0) && up(1) && up(2));
      exec(db(0), "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('first', 'web', 'sa', '10.0.0.1', 1);");
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(() -> content(db(2)).equals(content(db(0))) && content(db(1)).equals(content(db(0))));

      AtomicBoolean writing = new AtomicBoolean(true);
      AtomicInteger written = new AtomicInteger();
      Thread writer = Thread.ofVirtual().start(() -> {
        for (int i = 0; writing.get(); i++) {
          int node = i % 2; // pop-0 and pop-1 keep writing; pop-2 gets killed
          exec(db(node), "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('w" + i + "', 'web', 'sa', '10.0.0.1', "
              + (2000 + i) + "); UPDATE backends SET healthy = " + (i % 2) + " WHERE id = 'first';");
          written.incrementAndGet();
        }
      });
      await().atMost(Duration.ofSeconds(30)).until(() -> written.get() >= 30);
      agents[2].destroyForcibly(); // SIGKILL, mid-writes
      assertThat(agents[2].waitFor(30, TimeUnit.SECONDS)).isTrue();
      await().atMost(Duration.ofSeconds(30)).until(() -> written.get() >= 80);
      agents[2] = agent(2, gossip[2], seed);
      await().atMost(Duration.ofSeconds(30)).until(() -> written.get() >= 120);
      writing.set(false);
      writer.join();

      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
        String expected = content(db(0));
        assertThat(content(db(1))).isEqualTo(expected);
        assertThat(content(db(2))).isEqualTo(expected);
      });
      assertThat(content(db(2))).startsWith((written.get() + 1) + "|");
    } finally {
      for (Process p : agents) {
        p.destroy();
      }
      for (Process p : agents) {
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }
}
