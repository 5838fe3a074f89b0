package io.edgeproxy.sql;

import static io.edgeproxy.core.testing.Sqlite3Cli.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeproxy.core.change.Cell;
import io.edgeproxy.core.change.ChangeSet;
import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.change.Version;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Versions over a replica's life: capture rules, compaction, rejoin, held changes, holds, leases. */
class ReplicaLifecycleTest {
  @TempDir Path dir;
  private final AtomicLong wall = new AtomicLong(1_700_000_000_000L);
  private final List<TestReplica> open = new ArrayList<>();

  private TestReplica replica(String name) {
    TestReplica r = TestReplica.open(dir, name, wall, 0);
    open.add(r);
    return r;
  }

  @AfterEach
  void close() {
    open.forEach(TestReplica::close);
  }

  private static final String INSERT = "INSERT INTO backends (id, app, region, wg_ip, port) VALUES (?, 'web', 'sa', '10.0.0.1', ?)";

  @Test
  void sqlite3EditsAreCapturedAsOneTransactionWithCausalLengths() {
    TestReplica a = replica("pop-a");
    exec(a.file, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b1', 'web', 'sa', '10.0.0.1', 80);"
        + "INSERT INTO apps (name, proxy_protocol) VALUES ('web', 1);");
    ChangeSet first = a.capture();
    assertThat(first.origin()).isEqualTo("pop-a");
    assertThat(first.previous()).isZero();
    long born = LocalCapture.lifeLength(0, new Version(first.txn(), "pop-a"));
    assertThat(first.rows()).extracting(RowChange::table, RowChange::key, RowChange::cl)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("backends", "b1", born), org.assertj.core.groups.Tuple.tuple("apps", "web", born));
    assertThat(first.rows().getFirst().cells().get("port")).isEqualTo(new Cell(80L, new Version(first.txn(), "pop-a")));
    assertThat(a.capture()).isNull();
    assertThat(a.store.holds()).containsEntry("pop-a", first.txn());

    wall.addAndGet(10);
    exec(a.file, "DELETE FROM backends WHERE id = 'b1';");
    ChangeSet second = a.capture();
    assertThat(second.previous()).isEqualTo(first.txn());
    assertThat(second.rows()).singleElement().satisfies(row -> {
      assertThat(row.exists()).isFalse();
      assertThat(row.cl()).isEqualTo(born + 1);
    });
    assertThat(a.store.stats().tombstones()).isEqualTo(1);
  }

  @Test
  void rowsThatPredateCaptureAndEditsMadeWhileNoAgentRanAreOld() {
    TestReplica a = replica("pop-a");
    a.sql(INSERT, "b1", 80);
    a.capture();
    wall.addAndGet(60_000);
    // A row recorded with time 0 (as migration 2 records rows that predate capture) is the oldest there is.
    a.sql("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('legacy', 'web', 'sa', '10.0.0.2', 81)");
    a.sql("UPDATE __edge_pending SET wall_ms = 0 WHERE pk = 'legacy'");
    // An edit made a minute before the agent versions it keeps the time it was made.
    a.sql("UPDATE backends SET port = 99 WHERE id = 'b1'");
    a.sql("UPDATE __edge_pending SET wall_ms = ? WHERE pk = 'b1'", wall.get() - 50_000);
    ChangeSet set = a.capture();
    RowChange legacy = set.rows().stream().filter(r -> r.key().equals("legacy")).findFirst().orElseThrow();
    RowChange offline = set.rows().stream().filter(r -> r.key().equals("b1")).findFirst().orElseThrow();
    assertThat(legacy.version().hlc()).isZero();
    assertThat(HybridClock.millisOf(offline.cells().get("port").version().hlc())).isEqualTo(wall.get() - 50_000);
    assertThat(set.txn()).isGreaterThan(offline.cells().get("port").version().hlc());

    // So a newer row from a peer wins over both, whichever arrives first.
    TestReplica b = replica("pop-b");
    wall.addAndGet(-40_000); // after the offline edit, before it was versioned
    b.sql(INSERT, "legacy", 7000);
    b.sql(INSERT, "b1", 7001);
    ChangeSet peer = b.capture();
    a.receive(peer);
    assertThat(a.row("backends", "id", "legacy")).containsEntry("port", 7000);
    assertThat(a.row("backends", "id", "b1")).containsEntry("port", 7001);
  }

  @Test
  void compactionForgetsOldTombstonesRemembersTheHorizonAndDoesNotTakeThemBack() {
    TestReplica a = replica("pop-a");
    TestReplica b = replica("pop-b");
    a.sql(INSERT, "b1", 80);
    a.sql(INSERT, "b2", 81);
    b.receive(a.capture());
    wall.addAndGet(10);
    a.sql("DELETE FROM backends WHERE id = 'b1'");
    ChangeSet delete = a.capture();
    long deleteHlc = delete.rows().getFirst().version().hlc();
    wall.addAndGet(10);

    ReplicaStore.Removal removal = a.store.compactTombstones(HybridClock.fromMillis(wall.get()));
    assertThat(removal.rows()).isEqualTo(1);
    assertThat(removal.deltas()).singleElement().satisfies(d -> assertThat(d.row()).isEqualTo(new RowKey("backends", "b1")));
    assertThat(a.store.horizons()).containsEntry("pop-a", deleteHlc);
    assertThat(a.store.stats().tombstones()).isZero();

    // The same tombstone coming back from a peer that has not compacted yet is not stored again.
    assertThat(a.receive(delete).stale()).isEqualTo(1);
    assertThat(a.store.stats().tombstones()).isZero();
    // A peer that missed the delete merges it normally.
    assertThat(b.receive(delete).applied()).isEqualTo(1);
    assertThat(b.row("backends", "id", "b1")).isNull();
  }

  @Test
  void aRejoinReplacesEverythingWithThePeersCopyAndReportsTheLocalChangesItDrops() throws Exception {
    TestReplica peer = replica("pop-a");
    TestReplica stale = replica("pop-b");
    peer.sql(INSERT, "kept", 80);
    peer.sql(INSERT, "deleted-meanwhile", 81);
    stale.receive(peer.capture());
    long peerHoldsStale = stale.store.holds().getOrDefault("pop-b", 0L);
    wall.addAndGet(10);
    peer.sql("DELETE FROM backends WHERE id = 'deleted-meanwhile'");
    peer.capture();
    peer.store.compactTombstones(HybridClock.fromMillis(wall.get() + 1)); // the delete is forgotten on the peer
    stale.sql(INSERT, "made-while-cut-off", 82);
    stale.sql("UPDATE backends SET port = 8080 WHERE id = 'kept'");
    stale.capture();

    Path copy = dir.resolve("copy.db");
    peer.store.snapshotTo(copy);
    ReplicaStore.ReplaceResult result = stale.store.replaceFrom(copy, peerHoldsStale);

    assertThat(stale.dump("backends")).isEqualTo(peer.dump("backends"));
    assertThat(stale.hashes()).isEqualTo(peer.hashes());
    assertThat(stale.row("backends", "id", "deleted-meanwhile")).isNull(); // not resurrected
    assertThat(result.lost()).extracting(l -> l.row().key() + "." + l.column() + "=" + l.value())
        .contains("made-while-cut-off.(inserted)=null", "made-while-cut-off.port=82", "kept.port=8080");
    assertThat(stale.store.horizons()).isEqualTo(peer.store.horizons());
    assertThat(stale.capture()).as("the replacement is not a local change").isNull();
  }

  @Test
  void aCopyNeverReplacesAWriteCommittedAfterTheLastCaptureItIsDeferredInstead() {
    // The race a fresh POP's bootstrap lost once in CI: the node saw nothing pending, then sqlite3
    // committed a row, then the copy replaced every table (and __edge_pending) with an empty peer's.
    TestReplica fresh = replica("pop-fresh");
    TestReplica peer = replica("pop-peer");
    Path copy = dir.resolve("copy.db");
    peer.store.snapshotTo(copy);
    assertThat(fresh.capture()).as("nothing pending when the node looked").isNull();
    exec(fresh.file, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b1', 'web', 'sa', '10.0.0.1', 8080);");

    ReplicaStore.ReplaceResult result = fresh.store.replaceFrom(copy, 0);

    assertThat(result.deferred()).as("local changes not yet versioned: capture them first").isTrue();
    assertThat(fresh.dump("backends")).contains("b1");
    ChangeSet captured = fresh.capture();
    assertThat(captured.rows()).extracting(RowChange::key).containsExactly("b1");
    assertThat(fresh.store.replaceFrom(copy, 0).deferred()).as("once captured, a copy may replace (and report) it").isFalse();
  }

  @Test
  void aRejoinKeepsTheDeletesThisPopKnewOfEvenThoseItCompacted() throws Exception {
    TestReplica a = replica("pop-a");
    TestReplica b = replica("pop-b");
    a.sql(INSERT, "compacted-on-b", 80);
    a.sql(INSERT, "compacted-on-a", 81);
    a.sql(INSERT, "deleted-on-b", 82);
    a.sql(INSERT, "lease", 83);
    a.sql("INSERT INTO registrations (id, app, ttl_ms, expires_ms) VALUES ('lease', 'web', 1000, ?)", wall.get() + 1000);
    ChangeSet first = a.capture();
    b.store.apply(List.of(batch(first)), b.clock); // b holds pop-a's first transaction
    assertThat(b.store.holds()).containsEntry("pop-a", first.txn());
    wall.addAndGet(10);
    // A split longer than the tombstone TTL: each side deletes, and compacts, what the other never sees.
    b.sql("DELETE FROM backends WHERE id = 'compacted-on-b'");
    b.capture();
    b.store.compactTombstones(HybridClock.fromMillis(wall.get() + 1));
    b.store.forgetExpiredLeases(wall.get() + 20_000, 10_000, 60_000); // the lease ran out long ago here
    b.sql("DELETE FROM backends WHERE id = 'deleted-on-b'");
    b.capture();
    a.sql("DELETE FROM backends WHERE id = 'compacted-on-a'");
    a.capture();
    a.store.compactTombstones(HybridClock.fromMillis(wall.get() + 1));
    assertThat(b.row("backends", "id", "compacted-on-b")).isNull();
    assertThat(b.row("backends", "id", "lease")).isNull();

    // b rejoins from a's copy: a still has b's two deleted rows alive, and the lease.
    Path copy = dir.resolve("copy.db");
    a.store.snapshotTo(copy);
    ReplicaStore.ReplaceResult result = b.store.replaceFrom(copy, 0);

    assertThat(b.row("backends", "id", "compacted-on-a")).as("a's compacted delete holds").isNull();
    assertThat(b.row("backends", "id", "deleted-on-b")).as("b's tombstone is merged back").isNull();
    assertThat(b.row("backends", "id", "compacted-on-b")).as("b's compacted delete is made again").isNull();
    assertThat(b.row("backends", "id", "lease")).as("a lease forgotten here is not a delete").isNotNull();
    assertThat(result.deletedAgain()).isEqualTo(1);
    assertThat(result.lost()).as("deletes are not reported as dropped: they are kept")
        .noneMatch(l -> l.row().key().equals("deleted-on-b"));
    ChangeSet again = b.capture();
    assertThat(again.rows()).singleElement().satisfies(row -> {
      assertThat(row.key()).isEqualTo("compacted-on-b");
      assertThat(row.exists()).isFalse();
      assertThat(row.version().node()).isEqualTo("pop-b");
    });
    // Once a has b's changes, both hold the same rows again.
    a.receive(again);
    a.receive(b.allRows());
    assertThat(a.dump("backends")).isEqualTo(b.dump("backends"));
  }

  @Test
  void aCorruptCopyChangesNothing() throws Exception {
    TestReplica a = replica("pop-a");
    a.sql(INSERT, "b1", 80);
    a.capture();
    String before = a.dump("backends");
    Path junk = dir.resolve("junk.db");
    Files.write(junk, new byte[] {'S', 'Q', 'L', 'i', 't', 'e', 0, 1, 2, 3});
    assertThatThrownBy(() -> a.store.replaceFrom(junk, 0)).isInstanceOf(RoutingDbException.class);
    assertThat(a.dump("backends")).isEqualTo(before);
  }

  @Test
  void aRowStampedTooFarAheadIsHeldWithoutMovingTheClockThenApplied() {
    TestReplica a = replica("pop-a");
    long ahead = HybridClock.fromMillis(wall.get() + 60_000);
    Version future = new Version(ahead, "pop-fast");
    RowChange row = new RowChange("apps", "web", 1, future, Map.of("proxy_protocol", new Cell(1L, future)));
    long clockBefore = a.clock.last();
    ApplyResult result = a.receive(List.of(row));
    assertThat(result.held()).isEqualTo(1);
    assertThat(result.cleanBatches()).containsExactly(false);
    assertThat(a.row("apps", "name", "web")).isNull();
    assertThat(a.clock.last()).isEqualTo(clockBefore);
    assertThat(a.store.nextRelease()).hasValue(wall.get() + 60_000 - 500);

    assertThat(a.store.releaseHeld(a.clock).applied()).isZero(); // not yet
    wall.addAndGet(59_600);
    ApplyResult released = a.store.releaseHeld(a.clock);
    assertThat(released.applied()).isEqualTo(1);
    assertThat(a.row("apps", "name", "web")).containsEntry("proxy_protocol", 1);
    assertThat(a.store.stats().held()).isZero();
  }

  @Test
  void holdsAdvanceOnlyAlongTheOriginsChainAndOnlyForCleanBatches() {
    TestReplica a = replica("pop-a");
    TestReplica b = replica("pop-b");
    a.sql(INSERT, "b1", 80);
    ChangeSet t1 = a.capture();
    wall.addAndGet(5);
    a.sql(INSERT, "b2", 81);
    ChangeSet t2 = a.capture();
    // t2 arrives first: it does not follow anything b holds, so b holds nothing of pop-a yet.
    b.store.apply(List.of(batch(t2)), b.clock);
    assertThat(b.store.holds()).doesNotContainKey("pop-a");
    b.store.apply(List.of(batch(t1)), b.clock);
    assertThat(b.store.holds()).containsEntry("pop-a", t1.txn());
    b.store.apply(List.of(batch(t2)), b.clock); // now it follows
    assertThat(b.store.holds()).containsEntry("pop-a", t2.txn());

    // A batch with a refused row vouches for nothing.
    Version v = new Version(t2.txn() + 1, "pop-a");
    ChangeSet bad = new ChangeSet("pop-a", t2.txn(), t2.txn() + 1, List.of(new RowChange("backends", "", 1, v, Map.of())));
    b.store.apply(List.of(batch(bad)), b.clock);
    assertThat(b.store.holds()).containsEntry("pop-a", t2.txn());
  }

  private static ReplicaStore.Batch batch(ChangeSet set) {
    return new ReplicaStore.Batch(set.rows(), new ReplicaStore.HoldsAdvance(set.origin(), set.previous(), set.txn()));
  }

  @Test
  void longExpiredLeasesAreForgottenWithoutTombstones() {
    TestReplica a = replica("pop-a");
    a.sql(INSERT, "r1", 80);
    a.sql("INSERT INTO registrations (id, app, ttl_ms, expires_ms) VALUES ('r1', 'web', 1000, ?)", wall.get() + 1000);
    a.sql(INSERT, "r2", 81);
    a.sql("INSERT INTO registrations (id, app, ttl_ms, expires_ms) VALUES ('r2', 'web', 1000, ?)", wall.get() + 100_000);
    a.capture();
    ReplicaStore.Removal removal = a.store.forgetExpiredLeases(wall.get() + 20_000, 10_000, 60_000);
    assertThat(removal.rows()).isEqualTo(1);
    assertThat(a.row("backends", "id", "r1")).isNull();
    assertThat(a.row("registrations", "id", "r1")).isNull();
    assertThat(a.row("backends", "id", "r2")).isNotNull();
    assertThat(a.store.stats().tombstones()).isZero();
    assertThat(a.hashes()).doesNotContainKeys(new RowKey("backends", "r1"), new RowKey("registrations", "r1"));
    assertThat(a.capture()).as("forgetting is not a change to ship").isNull();
  }
}
