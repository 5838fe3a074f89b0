package io.edgeproxy.sql;

import static io.edgeproxy.core.testing.Sqlite3Cli.exec;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.change.ChangeSet;
import io.edgeproxy.core.change.RowChange;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two schema versions in one cluster: this build's migrations, and the same plus the next one (a
 * new replicated table and a new column, {@code db/migration-next}). And the upgrade of a schema-3
 * file to per-column versions.
 */
class SchemaUpgradeTest {
  @TempDir Path dir;
  private final AtomicLong wall = new AtomicLong(1_700_000_000_000L);
  private final List<TestReplica> open = new ArrayList<>();

  private TestReplica replica(String name, List<String> migrations) {
    TestReplica r = TestReplica.open(dir, name, wall, 0, migrations);
    open.add(r);
    return r;
  }

  @AfterEach
  void close() {
    open.forEach(TestReplica::close);
  }

  @Test
  void aSchema3FileKeepsItsRowVersionsPerColumnAndLosesTheOldExpiryFlags() {
    Path file = dir.resolve("old.db");
    RoutingDb.open(file, RoutingDb.migrations().subList(0, 3)).close();
    exec(file, "UPDATE __edge_capture SET paused = 1;"
        + "INSERT INTO backends (id, app, region, wg_ip, port, healthy) VALUES ('b1', 'web', 'sa', '10.0.0.1', 80, 0);"
        + "INSERT INTO registrations (id, app, ttl_ms, expires_ms, expired) VALUES ('b1', 'web', 1000, 5, 1);"
        + "INSERT INTO __edge_versions (tbl, pk, hlc, node, deleted) VALUES ('backends', 'b1', 4242, 'pop-z', 0),"
        + " ('registrations', 'b1', 4243, 'pop-z', 0), ('backends', 'gone', 4244, 'pop-z', 1);"
        + "UPDATE __edge_capture SET paused = 0;");

    TestReplica r = replica("old", RoutingDb.migrations());
    List<RowChange> rows = r.allRows();
    RowChange b1 = rows.stream().filter(x -> x.table().equals("backends") && x.key().equals("b1")).findFirst().orElseThrow();
    assertThat(b1.cl()).isEqualTo(1);
    assertThat(b1.cells()).containsKeys("app", "port", "healthy", "weight");
    assertThat(b1.cells().values()).allSatisfy(cell -> assertThat(cell.version().hlc()).isEqualTo(4242));
    assertThat(rows).anySatisfy(x -> {
      assertThat(x.key()).isEqualTo("gone");
      assertThat(x.cl()).isEqualTo(2);
    });
    assertThat(r.row("backends", "id", "b1")).containsEntry("healthy", 1); // the lease decides now, not the flag
    assertThat(r.row("registrations", "id", "b1")).containsEntry("expired", 0);
    assertThat(r.capture()).as("the upgrade is not a local change").isNull();
  }

  @Test
  void aPopOneSchemaAheadKeepsReplicatingAndTheOlderOneAppliesWhatItKeptAsideOnceUpgraded() {
    TestReplica newer = replica("pop-new", TestReplica.NEXT_SCHEMA);
    TestReplica older = replica("pop-old", RoutingDb.migrations());
    assertThat(newer.store.schema().version()).isEqualTo(older.store.schema().version() + 1);

    newer.sql("INSERT INTO future_rows (id, app, scope) VALUES ('www.example.com', 'web', 'passthrough')");
    newer.sql("INSERT INTO apps (name, proxy_protocol, future_flag) VALUES ('web', 1, 0)");
    ChangeSet fromNewer = newer.capture();
    assertThat(fromNewer.rows()).extracting(RowChange::table).containsExactly("future_rows", "apps");
    ApplyResult taken = older.receive(fromNewer);
    assertThat(taken.rejected()).isEmpty();
    assertThat(taken.applied()).isEqualTo(2);
    assertThat(older.row("apps", "name", "web")).containsEntry("proxy_protocol", 1).doesNotContainKey("future_flag");
    assertThat(older.hashes()).isEqualTo(newer.hashes()); // digests cover what both hold: nothing to resend

    // The older POP writes what it knows; the newer one merges it, its own column intact.
    wall.addAndGet(5);
    older.sql("UPDATE apps SET proxy_protocol = 0 WHERE name = 'web'");
    newer.receive(older.capture());
    assertThat(newer.row("apps", "name", "web")).containsEntry("proxy_protocol", 0).containsEntry("future_flag", 0);

    // Another newer POP gets everything, kept-aside values included, from the older one.
    TestReplica third = replica("pop-third", TestReplica.NEXT_SCHEMA);
    third.receive(older.allRows());
    assertThat(third.dump("future_rows")).isEqualTo(newer.dump("future_rows"));
    assertThat(third.dump("apps")).isEqualTo(newer.dump("apps"));

    // The older POP upgrades: what it kept aside is applied.
    older.close();
    open.remove(older);
    TestReplica upgraded = replica("pop-old", TestReplica.NEXT_SCHEMA);
    assertThat(upgraded.dump("future_rows")).isEqualTo(newer.dump("future_rows"));
    assertThat(upgraded.dump("apps")).isEqualTo(newer.dump("apps"));
    assertThat(upgraded.hashes()).isEqualTo(newer.hashes());
    assertThat(upgraded.capture()).isNull();
  }

  @Test
  void aCopyFromASchemaAheadKeepsWhatThisSchemaLacksAndTheOtherWayRoundAppliesIt() throws Exception {
    TestReplica newer = replica("pop-new", TestReplica.NEXT_SCHEMA);
    TestReplica older = replica("pop-old", RoutingDb.migrations());
    newer.sql("INSERT INTO future_rows (id, app) VALUES ('api.example.com', 'api')");
    newer.sql("INSERT INTO apps (name, proxy_protocol, future_flag) VALUES ('api', 0, 0)");
    newer.capture();

    Path copy = dir.resolve("newer-copy.db");
    newer.store.snapshotTo(copy);
    older.store.replaceFrom(copy, 0);
    assertThat(older.hashes()).isEqualTo(newer.hashes());
    assertThat(older.allRows()).containsExactlyInAnyOrderElementsOf(newer.allRows());

    TestReplica fresh = replica("pop-fresh", TestReplica.NEXT_SCHEMA);
    Path olderCopy = dir.resolve("older-copy.db");
    older.store.snapshotTo(olderCopy);
    fresh.store.replaceFrom(olderCopy, 0);
    assertThat(fresh.dump("future_rows")).isEqualTo(newer.dump("future_rows"));
    assertThat(fresh.dump("apps")).isEqualTo(newer.dump("apps"));
  }
}
