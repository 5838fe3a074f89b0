package io.edgeproxy.tools;

import static io.edgeproxy.core.testing.Sqlite3Cli.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.routing.Backend;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** In-process clusters on 127.0.0.1: changes made on one POP reach every POP's routing.db. */
@Timeout(120)
class ReplicationIT {
  @TempDir Path dir;

  private static String rows(Path db) {
    return exec(db, "SELECT id, region, port, healthy, deleted FROM backends ORDER BY id;");
  }

  private static void awaitSameRows(EdgeCluster cluster, String expected) {
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      for (int i = 0; i < cluster.size(); i++) {
        assertThat(rows(cluster.db(i))).as("pop-%d", i).isEqualTo(expected);
      }
    });
  }

  @Test
  void anInsertUpdateAndDeleteByTheSqlite3CliOnOnePopReachEveryPop() {
    try (EdgeCluster cluster = EdgeCluster.start(dir, 3)) {
      exec(cluster.db(0), "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b1', 'web', 'sa', '10.0.0.1', 8080);");
      awaitSameRows(cluster, "b1|sa|8080|1|0\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> cluster.node(2).state().current().backends().stream()
          .map(Backend::id).toList().equals(java.util.List.of("b1")));

      exec(cluster.db(1), "UPDATE backends SET healthy = 0, port = 9090 WHERE id = 'b1';");
      awaitSameRows(cluster, "b1|sa|9090|0|0\n");

      exec(cluster.db(2), "DELETE FROM backends WHERE id = 'b1';");
      awaitSameRows(cluster, "");
    }
  }
}
