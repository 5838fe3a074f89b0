package io.edgeproxy.sql;

import static io.edgeproxy.core.testing.Sqlite3Cli.exec;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.change.Version;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaStoreTest {
  @TempDir Path dir;
  private final List<RoutingDb> open = new ArrayList<>();
  private final AtomicLong wall = new AtomicLong(1_700_000_000_000L);
  private final HybridClock clock = new HybridClock(wall::get);

  @AfterEach
  void close() {
    open.forEach(RoutingDb::close);
  }

  private RoutingDb db(String name) {
    RoutingDb db = RoutingDb.open(dir.resolve(name + ".db"));
    open.add(db);
    return db;
  }

  @Test
  void sqlite3EditsAreCapturedWithVersionsAndTombstones() {
    RoutingDb db = db("a");
    ReplicaStore store = ReplicaStore.open(db, "pop-a");
    exec(dir.resolve("a.db"), "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b1', 'web', 'sa', '10.0.0.1', 80);"
        + "INSERT INTO apps (name, proxy_protocol) VALUES ('web', 1);");
    List<RowChange> first = store.captureLocal(clock);
    assertThat(first).extracting(RowChange::table, RowChange::key).containsExactly(
        org.assertj.core.groups.Tuple.tuple("backends", "b1"), org.assertj.core.groups.Tuple.tuple("apps", "web"));
    assertThat(first.get(0).columns()).containsEntry("port", 80).containsEntry("region", "sa");
    assertThat(first.get(0).version().node()).isEqualTo("pop-a");
    assertThat(store.captureLocal(clock)).isEmpty();

    exec(dir.resolve("a.db"), "DELETE FROM backends WHERE id = 'b1';");
    List<RowChange> second = store.captureLocal(clock);
    assertThat(second).singleElement().satisfies(c -> {
      assertThat(c.deleted()).isTrue();
      assertThat(c.version()).isGreaterThan(first.get(0).version());
    });
    assertThat(store.stats().tombstones()).isEqualTo(1);
  }

  @Test
  void theNodeIdIsRememberedAndCanBeSet() {
    RoutingDb db = db("a");
    String generated = ReplicaStore.open(db, null).nodeId();
    assertThat(generated).startsWith("node-");
    assertThat(ReplicaStore.open(db, null).nodeId()).isEqualTo(generated);
    assertThat(ReplicaStore.open(db, "pop-x").nodeId()).isEqualTo("pop-x");
    assertThat(ReplicaStore.open(db, null).nodeId()).isEqualTo("pop-x");
  }

  @Test
  void newerChangesWinOlderAndDuplicateOnesAreIgnoredAndTombstonesAreNotResurrected() {
    ReplicaStore store = ReplicaStore.open(db("a"), "pop-a");
    Map<String, Object> v1 = Map.of("app", "web", "region", "sa", "wg_ip", "10.0.0.1", "port", 80L);
    Map<String, Object> v2 = Map.of("app", "web", "region", "eu", "wg_ip", "10.0.0.1", "port", 81L);
    RowChange older = new RowChange("backends", "b1", new Version(100, "pop-b"), v1, false);
    RowChange newer = new RowChange("backends", "b1", new Version(200, "pop-c"), v2, false);
    RowChange tomb = RowChange.tombstone("backends", "b1", new Version(300, "pop-b"));

    assertThat(store.apply(List.of(newer, older, newer), clock)).satisfies(r -> {
      assertThat(r.applied()).isEqualTo(1);
      assertThat(r.stale()).isEqualTo(2);
    });
    assertThat(rows(store)).singleElement().satisfies(c -> assertThat(c.columns()).containsEntry("region", "eu"));
    store.apply(List.of(tomb, older, newer), clock);
    assertThat(rows(store)).singleElement().satisfies(c -> assertThat(c.deleted()).isTrue());
    // Applying a remote change must not be captured again as a local one.
    assertThat(store.captureLocal(clock)).isEmpty();
    // The clock moved up to what it saw, so the next local change is newer.
    assertThat(clock.last()).isEqualTo(300);
    assertThat(clock.tick()).isGreaterThan(300);
  }

  @Test
  void malformedChangesAreRejectedWithTheReasonAndNothingIsWritten() {
    ReplicaStore store = ReplicaStore.open(db("a"), "pop-a");
    ApplyResult r = store.apply(List.of(
        new RowChange("users", "x", new Version(1, "p"), Map.of(), false),
        new RowChange("backends", "b1", new Version(1, "p"), Map.of("password", "x"), false),
        new RowChange("backends", "", new Version(1, "p"), Map.of(), false)), clock);
    assertThat(r.applied()).isZero();
    assertThat(r.rejected()).containsExactly(
        "change to unknown table 'users' (expected: one of backends, apps, region_countries)",
        "change to backends 'b1' has unknown column 'password' (expected: app, region, country, wg_ip, port, healthy,"
            + " weight, soft_limit, hard_limit, deleted)",
        "change to backends with an empty or oversized key (expected: 1-4096 characters)");
    assertThat(store.stats().versions()).isZero();
  }

  @Test
  void equalVersionsGiveEqualDigestsAndADifferencePointsAtItsBucket() {
    ReplicaStore a = ReplicaStore.open(db("a"), "pop-a");
    ReplicaStore b = ReplicaStore.open(db("b"), "pop-b");
    List<RowChange> changes = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      changes.add(new RowChange("backends", "b" + i, new Version(i + 1, "pop-a"),
          Map.of("app", "web", "region", "sa", "wg_ip", "10.0.0.1", "port", 80L + i), false));
    }
    a.apply(changes, clock);
    b.apply(changes.reversed(), clock);
    assertThat(a.digest(64)).isEqualTo(b.digest(64));
    a.apply(List.of(RowChange.tombstone("backends", "b7", new Version(1_000, "pop-a"))), clock);
    long[] da = a.digest(64);
    long[] db = b.digest(64);
    int bucket = RowHashes.bucketOf("backends", "b7", 64);
    for (int i = 0; i < 64; i++) {
      assertThat(da[i] == db[i]).as("bucket %d", i).isEqualTo(i != bucket);
    }
  }

  @Test
  void oldTombstonesAreCompacted() {
    ReplicaStore store = ReplicaStore.open(db("a"), "pop-a");
    store.apply(List.of(RowChange.tombstone("backends", "old", new Version(10, "p")),
        RowChange.tombstone("backends", "new", new Version(1_000, "p"))), clock);
    assertThat(store.compactTombstones(500)).isEqualTo(1);
    assertThat(store.stats().tombstones()).isEqualTo(1);
  }

  private static List<RowChange> rows(ReplicaStore store) {
    BitSet all = new BitSet();
    all.set(0, 16);
    List<RowChange> out = new ArrayList<>();
    store.rowsIn(all, 16, out::add);
    return out;
  }

  @Test
  void aSnapshotFileMergesByVersionLikeApplyDoes() throws Exception {
    ReplicaStore a = ReplicaStore.open(db("a"), "pop-a");
    ReplicaStore b = ReplicaStore.open(db("b"), "pop-b");
    wall.set(1_700_000_001_000L);
    exec(dir.resolve("b.db"), "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b3', 'web', 'sa', '10.0.0.3', 70);");
    b.captureLocal(clock); // b3 on B, older than A's delete below
    wall.set(1_700_000_002_000L);
    exec(dir.resolve("a.db"), "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b1', 'web', 'sa', '10.0.0.1', 80),"
        + " ('b2', 'web', 'sa', '10.0.0.2', 81), ('b3', 'web', 'sa', '10.0.0.3', 82);"
        + " INSERT INTO apps (name, proxy_protocol) VALUES ('web', 1);");
    a.captureLocal(clock);
    exec(dir.resolve("a.db"), "DELETE FROM backends WHERE id = 'b3';");
    a.captureLocal(clock);
    wall.set(1_700_000_003_000L);
    exec(dir.resolve("b.db"), "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b2', 'web', 'sa', '10.0.0.2', 91),"
        + " ('b4', 'web', 'eu', '10.0.0.4', 84);");
    b.captureLocal(clock); // b2 on B is newer than A's; b4 only on B

    Path file = dir.resolve("a-snapshot.db");
    a.snapshotTo(file);
    ReplicaStore.ImportResult result = b.importSnapshot(file, clock);

    assertThat(exec(dir.resolve("b.db"), "SELECT id, port FROM backends ORDER BY id; SELECT name, proxy_protocol FROM apps;"))
        .isEqualTo("b1|80\nb2|91\nb4|84\nweb|1\n");
    assertThat(exec(dir.resolve("b.db"), "SELECT pk, node, deleted FROM __edge_versions WHERE tbl = 'backends' ORDER BY pk;"))
        .isEqualTo("b1|pop-a|0\nb2|pop-b|0\nb3|pop-a|1\nb4|pop-b|0\n");
    assertThat(result.versionsTaken()).isEqualTo(3); // b1, b3's tombstone, apps/web
    assertThat(exec(dir.resolve("b.db"), "SELECT count(*) FROM __edge_pending;")).isEqualTo("0\n"); // nothing re-captured

    // The same merge through apply() gives the same digest.
    ReplicaStore c = ReplicaStore.open(db("c"), "pop-c");
    List<RowChange> fromB = new ArrayList<>();
    List<RowChange> fromA = new ArrayList<>();
    BitSet all = new BitSet();
    all.set(0, ReplicaStore.CACHED_BUCKETS);
    b.rowsIn(all, ReplicaStore.CACHED_BUCKETS, fromB::add);
    a.rowsIn(all, ReplicaStore.CACHED_BUCKETS, fromA::add);
    c.apply(fromA, clock);
    c.apply(fromB, clock);
    assertThat(b.digest(ReplicaStore.CACHED_BUCKETS)).isEqualTo(c.digest(ReplicaStore.CACHED_BUCKETS));
  }

  @Test
  void aCorruptSnapshotFileChangesNothing() throws Exception {
    ReplicaStore b = ReplicaStore.open(db("b"), "pop-b");
    exec(dir.resolve("b.db"), "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b1', 'web', 'sa', '10.0.0.1', 80);");
    b.captureLocal(clock);
    Path garbage = dir.resolve("garbage.db");
    java.nio.file.Files.write(garbage, "SQLite format 3\0 but then nothing sensible".repeat(200).getBytes());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.importSnapshot(garbage, clock))
        .isInstanceOf(RoutingDbException.class).hasMessageContaining("garbage.db");
    assertThat(exec(dir.resolve("b.db"), "SELECT id FROM backends; SELECT count(*) FROM __edge_versions;")).isEqualTo("b1\n1\n");
    // The database is usable afterwards (the file was detached).
    exec(dir.resolve("b.db"), "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b2', 'web', 'sa', '10.0.0.2', 81);");
    assertThat(b.captureLocal(clock)).hasSize(1);
  }
}
