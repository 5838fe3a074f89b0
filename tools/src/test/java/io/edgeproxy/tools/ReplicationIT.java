package io.edgeproxy.tools;

import static io.edgeproxy.core.testing.Sqlite3Cli.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.config.ApiConfig;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.sql.ApiTokens;
import io.edgeproxy.sql.RoutingDb;
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

  @Test
  void concurrentConflictingWritesConvergeToOneWinnerEverywhere() throws Exception {
    try (EdgeCluster cluster = EdgeCluster.start(dir, 3)) {
      exec(cluster.db(0), "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b1', 'web', 'sa', '10.0.0.1', 1);");
      awaitSameRows(cluster, "b1|sa|1|1|0\n");
      Thread[] writers = new Thread[3];
      for (int i = 0; i < 3; i++) {
        int node = i;
        writers[i] = Thread.ofVirtual().start(() -> {
          for (int k = 0; k < 20; k++) {
            exec(cluster.db(node), "UPDATE backends SET port = " + (1000 * (node + 1) + k) + " WHERE id = 'b1';"
                + "INSERT OR REPLACE INTO apps (name, proxy_protocol) VALUES ('web', " + (k % 2) + ");");
          }
        });
      }
      for (Thread t : writers) {
        t.join();
      }
      String winner = rows(cluster.db(0));
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
        String first = rows(cluster.db(0)) + exec(cluster.db(0), "SELECT * FROM apps;");
        for (int i = 1; i < 3; i++) {
          assertThat(rows(cluster.db(i)) + exec(cluster.db(i), "SELECT * FROM apps;")).as("pop-%d", i).isEqualTo(first);
        }
      });
      assertThat(winner).startsWith("b1|sa|");
    }
  }

  @Test
  void aNodeThatWasDownCatchesUpWhenItComesBack() {
    try (EdgeCluster cluster = EdgeCluster.start(dir, 3)) {
      exec(cluster.db(0), "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b1', 'web', 'sa', '10.0.0.1', 80);");
      awaitSameRows(cluster, "b1|sa|80|1|0\n");
      cluster.node(2).close();
      exec(cluster.db(0), "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b2', 'web', 'eu', '10.0.0.2', 81);");
      exec(cluster.db(1), "DELETE FROM backends WHERE id = 'b1';");
      cluster.restart(2);
      awaitSameRows(cluster, "b2|eu|81|1|0\n");
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void theStatusPageHistoryHasAPeerLagLinePerConnectedPop() {
    try (EdgeCluster cluster = EdgeCluster.start(dir, 2)) {
      cluster.awaitMembers();
      String other = cluster.node(1).replicator().nodeId();
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        cluster.node(0).history().sample(System.currentTimeMillis());
        var peers = (java.util.List<java.util.Map<String, Object>>) cluster.node(0).history().view().get("peers");
        assertThat(peers).hasSize(1);
        assertThat(peers.getFirst().get("node")).isEqualTo(other);
        var connected = (java.util.List<Float>) peers.getFirst().get("connected");
        var lag = (java.util.List<Float>) peers.getFirst().get("lagMs");
        assertThat(connected.getLast()).isEqualTo(1.0f);
        assertThat(lag.getLast()).as("a connected peer's lag is known").isNotNull().isGreaterThanOrEqualTo(0f);
      });
    }
  }

  @Test
  void aNewNodeJoiningAClusterWithTenThousandRowsGetsAllOfThem() {
    try (EdgeCluster cluster = EdgeCluster.start(dir, 2)) {
      exec(cluster.db(0), "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)"
          + " INSERT INTO backends (id, app, region, wg_ip, port) SELECT 'b' || i, 'web', 'sa', '10.0.0.1', 1000 + i % 50000 FROM n;");
      await().atMost(Duration.ofSeconds(30)).until(() -> count(cluster.db(1)) == 10_000);
      cluster.add(c -> c);
      cluster.awaitMembers();
      await().atMost(Duration.ofSeconds(30)).until(() -> count(cluster.db(2)) == 10_000);
      assertThat(rowsHash(cluster.db(2))).isEqualTo(rowsHash(cluster.db(0)));
      // The snapshot follows the database right after each applied batch, coalescing updates while
      // batches keep arriving, so it may be a moment behind the count above.
      await().atMost(Duration.ofSeconds(5)).until(() -> cluster.node(2).state().current().backends().size() == 10_000);
    }
  }

  @Test
  void aNodeWithAnotherClusterKeyIsIgnored() {
    try (EdgeCluster cluster = EdgeCluster.start(dir, 2)) {
      EdgeNode stranger = cluster.add(c -> c.withReplication(c.replication()
          .withClusterKey("c3RyYW5nZXItc3RyYW5nZXItc3RyYW5nZXItc3RyYW5nZXI=")));
      exec(cluster.db(0), "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b1', 'web', 'sa', '10.0.0.1', 80);");
      await().atMost(Duration.ofSeconds(10)).until(() -> count(cluster.db(1)) == 1);
      await().atMost(Duration.ofSeconds(10)).until(() -> cluster.node(0).replicator().status().rejectedTotal() > 0);
      assertThat(cluster.node(0).replicator().status().peers()).extracting(p -> p.nodeId()).containsExactly("pop-1");
      assertThat(stranger.replicator().status().peers()).isEmpty();
      assertThat(count(cluster.db(2))).isZero();
    }
  }

  @Test
  void aNodeWhoseCertificateIsNotFromTheClusterCaGetsNoData() {
    try (EdgeCluster cluster = EdgeCluster.start(dir, 2)) {
      Path otherCa = dir.resolve("other-ca");
      io.edgeproxy.replication.tls.ClusterPki.init(otherCa, "evil", java.util.List.of("pop-2"));
      java.nio.file.Files.copy(cluster.tls.resolve("cluster.key"), otherCa.resolve("cluster.key"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING); // it knows the gossip key, not a CA-signed identity
      EdgeNode impostor = cluster.add(c -> c.withReplication(new io.edgeproxy.core.config.ReplicationConfig("pop-2",
          c.replication().gossipAddress(), c.replication().transportAddress(), "127.0.0.1", c.replication().bootstrapPeers(),
          c.replication().clusterName(), null, otherCa, c.replication().syncInterval(), c.replication().gossipInterval(),
          c.replication().tombstoneTtl(), c.replication().maxClockSkew())));
      exec(cluster.db(0), "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b1', 'web', 'sa', '10.0.0.1', 80);");
      await().atMost(Duration.ofSeconds(10)).until(() -> count(cluster.db(1)) == 1);
      await().atMost(Duration.ofSeconds(15)).until(() -> cluster.node(0).replicator().status().rejectedTotal() > 0);
      assertThat(count(cluster.db(2))).isZero();
      assertThat(impostor.replicator().status().peers()).allMatch(p -> !p.connected());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Every POP forgets a registration long past its lease on its own compaction schedule; until all
   * have, the others offer it back by anti-entropy. Before each POP remembered what it forgot, it
   * went round the three for good.
   */
  @Test
  void aRegistrationForgottenLongAfterItsLeaseEndedStaysGoneOnEveryPop() throws Exception {
    // Lease 1 s, hidden 1 s after it ends, forgotten 3 s later (the tombstone TTL): compaction every 1.5 s.
    try (EdgeCluster cluster = EdgeCluster.start(dir, 3, c -> c
        .withApi(ApiConfig.forTest().withHeartbeatTtl(Duration.ofSeconds(1)).withDeregisterAfter(Duration.ofSeconds(1)))
        .withReplication(c.replication().withTombstoneTtl(Duration.ofSeconds(3))))) {
      String token;
      try (RoutingDb db = RoutingDb.open(cluster.db(0))) {
        token = new ApiTokens(db).create("*", "test", System.currentTimeMillis());
      }
      var registered = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + cluster.node(0).apiAddress().getPort() + "/api/v1/register"))
          .header("Authorization", "Bearer " + token).POST(java.net.http.HttpRequest.BodyPublishers.ofString(
              "{\"id\":\"gone-1\",\"app\":\"web\",\"region\":\"sa\",\"ip\":\"10.0.0.5\",\"port\":8080}")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        for (int i = 0; i < cluster.size(); i++) {
          assertThat(held(cluster.db(i), "gone-1")).as("pop-%d", i).isEqualTo("1|1");
        }
      });

      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
        for (int i = 0; i < cluster.size(); i++) {
          assertThat(held(cluster.db(i), "gone-1")).as("pop-%d", i).isEqualTo("0|0");
        }
      });
      long until = System.nanoTime() + Duration.ofSeconds(6).toNanos(); // four compaction intervals
      while (System.nanoTime() < until) {
        for (int i = 0; i < cluster.size(); i++) {
          assertThat(held(cluster.db(i), "gone-1")).as("pop-%d holds the forgotten registration again", i).isEqualTo("0|0");
        }
        Thread.sleep(100);
      }
    }
  }

  /** Whether {@code db} holds registration {@code id} and its backend: "registrations|backends" counts. */
  private static String held(Path db, String id) {
    return exec(db, "SELECT (SELECT count(*) FROM registrations WHERE id = '" + id + "') || '|' || (SELECT count(*) FROM backends"
        + " WHERE id = '" + id + "');").trim();
  }

  private static int count(Path db) {
    return Integer.parseInt(exec(db, "SELECT count(*) FROM backends;").trim());
  }

  private static String rowsHash(Path db) {
    return exec(db, "SELECT count(*), sum(port), group_concat(id, ',') FROM (SELECT * FROM backends ORDER BY id);");
  }
}
