package io.edgeproxy.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.change.Cell;
import io.edgeproxy.core.change.ChangeSet;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.change.Version;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-column merge, between two real routing.db replicas. */
class ColumnMergeTest {
  @TempDir Path dir;
  private final AtomicLong wall = new AtomicLong(1_700_000_000_000L);
  private final List<TestReplica> open = new ArrayList<>();
  private TestReplica a;
  private TestReplica b;

  @BeforeEach
  void setUp() {
    a = replica("pop-a", 0);
    b = replica("pop-b", 0);
  }

  private TestReplica replica(String name, long skew) {
    TestReplica r = TestReplica.open(dir, name, wall, skew);
    open.add(r);
    return r;
  }

  @AfterEach
  void close() {
    open.forEach(TestReplica::close);
  }

  private void insertBackend(TestReplica r, String id) {
    r.sql("INSERT INTO backends (id, app, region, wg_ip, port, weight, healthy) VALUES (?, 'web', 'sa', '10.0.0.1', 80, 2, 1)", id);
  }

  private void tick() {
    wall.addAndGet(5);
  }

  @Test
  void aCaptureOfManyRowsAcrossTablesVersionsEachAsAlone() {
    // More rows of one table than one read by keys (64) and one slice of a capture (1,024) take, and a
    // second table, in one transaction.
    a.sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2100)"
        + " INSERT INTO backends (id, app, region, wg_ip, port) SELECT 'b' || i, 'web', 'sa', '10.0.0.1', 1000 + i FROM n");
    a.sql("INSERT INTO apps (name) VALUES ('web')");
    ChangeSet born = a.capture();
    assertThat(born.rows()).hasSize(2101).allMatch(RowChange::exists);
    b.receive(born);
    tick();
    a.sql("UPDATE backends SET weight = 7 WHERE CAST(substr(id, 2) AS INTEGER) % 3 = 0"); // 700 rows, one column
    a.sql("DELETE FROM backends WHERE CAST(substr(id, 2) AS INTEGER) % 3 = 1"); // 700 rows
    a.sql("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('new', 'web', 'sa', '10.0.0.2', 9)");
    ChangeSet changed = a.capture();
    assertThat(changed.rows()).hasSize(1401);
    RowChange b3 = changed.rows().stream().filter(r -> r.key().equals("b3")).findFirst().orElseThrow();
    assertThat(b3.cells().get("weight").value()).isEqualTo(7L);
    assertThat(b3.cells().get("weight").version().hlc()).isEqualTo(changed.txn());
    assertThat(b3.cells().get("port").version().hlc()).isEqualTo(born.txn()); // untouched: keeps its first version
    assertThat(changed.rows().stream().filter(r -> !r.exists()).map(RowChange::key))
        .hasSize(700).allMatch(k -> Integer.parseInt(k.substring(1)) % 3 == 1);
    b.receive(changed);
    assertThat(b.dump("backends")).isEqualTo(a.dump("backends"));
    assertThat(b.dump("apps")).isEqualTo(a.dump("apps"));
  }

  @Test
  void concurrentEditsOfDifferentColumnsBothSurvive() {
    insertBackend(a, "b1");
    b.receive(a.capture());
    tick();
    a.sql("UPDATE backends SET weight = 0 WHERE id = 'b1'"); // an operator drains it on A
    b.sql("UPDATE backends SET healthy = 0 WHERE id = 'b1'"); // meanwhile B takes it out
    ChangeSet fromA = a.capture();
    ChangeSet fromB = b.capture();
    a.receive(fromB);
    b.receive(fromA);

    for (TestReplica r : List.of(a, b)) {
      assertThat(r.row("backends", "id", "b1")).containsEntry("weight", 0).containsEntry("healthy", 0);
    }
    assertThat(a.hashes()).isEqualTo(b.hashes());
  }

  @Test
  void anUpdateVersionsOnlyTheColumnsItChanged() {
    insertBackend(a, "b1");
    RowChange inserted = a.capture().rows().getFirst();
    tick();
    a.sql("UPDATE backends SET weight = 5, port = port WHERE id = 'b1'");
    RowChange updated = a.capture().rows().getFirst();

    assertThat(updated.cl()).isEqualTo(inserted.cl());
    assertThat(updated.cells().get("weight").version()).isGreaterThan(inserted.cells().get("weight").version());
    assertThat(updated.cells().get("port").version()).isEqualTo(inserted.cells().get("port").version());
    assertThat(a.capture()).isNull();
  }

  @Test
  void aDeleteBeatsAConcurrentUpdateAndALaterReinsertBeatsTheDelete() {
    insertBackend(a, "b1");
    b.receive(a.capture());
    tick();
    b.sql("UPDATE backends SET weight = 9 WHERE id = 'b1'");
    tick(); // B's update is even the later write: the delete still wins, it ended that life
    ChangeSet update = b.capture();
    a.sql("DELETE FROM backends WHERE id = 'b1'");
    ChangeSet delete = a.capture();
    assertThat(delete.rows().getFirst().cl() % 2).isZero();
    a.receive(update);
    b.receive(delete);
    assertThat(a.row("backends", "id", "b1")).isNull();
    assertThat(b.row("backends", "id", "b1")).isNull();

    tick();
    b.sql("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b1', 'web', 'eu', '10.0.0.2', 81)");
    ChangeSet reinsert = b.capture();
    assertThat(reinsert.rows().getFirst().cl()).isGreaterThan(delete.rows().getFirst().cl()).isOdd();
    a.receive(reinsert);
    a.receive(delete); // the old delete arriving again changes nothing
    for (TestReplica r : List.of(a, b)) {
      assertThat(r.row("backends", "id", "b1")).containsEntry("region", "eu").containsEntry("port", 81)
          .containsEntry("weight", 2); // the old life's weight 9 did not come back with it
    }
    assertThat(a.hashes()).isEqualTo(b.hashes());
  }

  /**
   * The simulator's seed 306, in three replicas: B, cut off, deletes a row; A meanwhile deletes it,
   * inserts it again and deletes it again, and C has all of A's history. Then B inserts the row
   * again, later than all of that. That life is the newest thing anyone did to the row and must win
   * everywhere. With lengths only ever one more than what a POP had seen, B's new life got the
   * length of A's second life and lost to A's second delete on C (and through C everywhere): an
   * operator's insert, made after everything it could have known of, undone. (In the seed, B's old
   * tombstone had come back through a rejoin's kept deletes after A's last delete was compacted,
   * and the insert was made after the heal.)
   */
  @Test
  void aLifeBegunLaterWinsOverDeletesOfLivesItsPopNeverSaw() {
    TestReplica c = replica("pop-c", 0);
    insertBackend(a, "b1");
    ChangeSet born = a.capture();
    b.receive(born);
    c.receive(born);
    tick();
    b.sql("DELETE FROM backends WHERE id = 'b1'"); // B, cut off
    ChangeSet bDeletes = b.capture();
    List<ChangeSet> aHistory = new ArrayList<>();
    tick();
    a.sql("DELETE FROM backends WHERE id = 'b1'");
    aHistory.add(a.capture());
    tick();
    a.sql("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b1', 'web', 'us', '10.0.0.3', 82)");
    aHistory.add(a.capture());
    tick();
    a.sql("DELETE FROM backends WHERE id = 'b1'");
    aHistory.add(a.capture());
    aHistory.forEach(c::receive);
    tick();
    b.sql("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b1', 'web', 'eu', '10.0.0.2', 81)");
    ChangeSet bInserts = b.capture();

    c.receive(bDeletes);
    c.receive(bInserts);
    aHistory.forEach(b::receive);
    a.receive(bDeletes);
    a.receive(bInserts);
    for (TestReplica r : List.of(a, b, c)) {
      assertThat(r.row("backends", "id", "b1")).as(r.toString()).containsEntry("region", "eu").containsEntry("port", 81);
    }
    assertThat(a.hashes()).isEqualTo(b.hashes()).isEqualTo(c.hashes());
  }

  @Test
  void oneBatchCarryingARowThroughSeveralLivesMergesEachStepOnWhatTheLastLeft() {
    // The merge reads rows' clocks ahead, 1,024 at a time: a row met again later in the batch, in the
    // same slice or another, must be merged on the clock its previous step wrote.
    List<RowChange> all = new ArrayList<>();
    insertBackend(a, "b1");
    all.addAll(a.capture().rows());
    tick();
    a.sql("UPDATE backends SET healthy = 0 WHERE id = 'b1'"); // new to b, and met twice in the first slice
    all.addAll(a.capture().rows());
    tick();
    a.sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1100)"
        + " INSERT INTO backends (id, app, region, wg_ip, port) SELECT 'other' || i, 'web', 'sa', '10.0.0.1', 1000 + i FROM n");
    a.sql("UPDATE backends SET weight = 7 WHERE id = 'b1'");
    all.addAll(a.capture().rows()); // b1 lands in the second slice
    tick();
    a.sql("UPDATE backends SET port = 91 WHERE id = 'b1'"); // another column of the same life, same slice
    all.addAll(a.capture().rows());
    Map<String, Object> mid = a.row("backends", "id", "b1");
    int toMid = all.size();
    List<DigestDelta> deltas = new ArrayList<>();
    tick();
    a.sql("DELETE FROM backends WHERE id = 'b1'");
    all.addAll(a.capture().rows());
    tick();
    a.sql("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b1', 'web', 'eu', '10.0.0.2', 99)");
    all.addAll(a.capture().rows());
    tick();
    a.sql("UPDATE backends SET weight = 5 WHERE id = 'b1'");
    all.addAll(a.capture().rows());
    all.add(all.getFirst()); // and the first insert once more, stale by now

    ApplyResult first = b.receive(all.subList(0, toMid));
    assertThat(first.stale()).isZero();
    deltas.addAll(first.deltas());
    assertThat(b.row("backends", "id", "b1")).isEqualTo(mid);
    assertThat(b.hashes()).as("the clocks too: weight's version survived port's update").isEqualTo(hashesAfter(all.subList(0, toMid)));
    ApplyResult result = b.receive(all.subList(toMid, all.size()));
    assertThat(result.stale()).isEqualTo(1);
    deltas.addAll(result.deltas());
    assertThat(b.row("backends", "id", "b1")).containsEntry("region", "eu").containsEntry("port", 99).containsEntry("weight", 5);
    assertThat(b.hashes()).isEqualTo(a.hashes());
    RowKey b1 = new RowKey("backends", "b1");
    assertThat(deltas.stream().filter(d -> d.row().equals(b1)).mapToLong(DigestDelta::delta).sum())
        .as("what the merge reported moving b1's hash by, in all, is its hash").isEqualTo(b.hashes().get(b1));
  }

  /** The hashes of a replica that merged {@code rows} one transaction each. */
  private Map<RowKey, Long> hashesAfter(List<RowChange> rows) {
    TestReplica one = replica("pop-one-by-one", 0);
    rows.forEach(row -> one.receive(List.of(row)));
    return one.hashes();
  }

  @Test
  void aRowInsertedAgainAfterItsTombstoneWasCompactedWinsOverThatTombstoneElsewhere() {
    insertBackend(a, "b1");
    b.receive(a.capture());
    tick();
    a.sql("DELETE FROM backends WHERE id = 'b1'");
    ChangeSet delete = a.capture();
    b.receive(delete);
    tick();
    a.store.compactTombstones(io.edgeproxy.core.change.HybridClock.fromMillis(wall.get() + 1)); // a forgets the delete; b not yet
    tick();
    insertBackend(a, "b1"); // a knows nothing of b1 now: a fresh row
    ChangeSet again = a.capture();
    assertThat(again.rows().getFirst().cl()).isGreaterThan(delete.rows().getFirst().cl());
    b.receive(again);
    assertThat(b.row("backends", "id", "b1")).isNotNull();
  }

  @Test
  void newerCellsWinOlderAndDuplicatesChangeNothing() {
    insertBackend(a, "b1");
    ChangeSet first = a.capture();
    tick();
    a.sql("UPDATE backends SET port = 90 WHERE id = 'b1'");
    ChangeSet second = a.capture();
    assertThat(b.receive(second).applied()).isEqualTo(1);
    ApplyResult old = b.receive(first);
    assertThat(old.applied()).isZero();
    assertThat(old.stale()).isEqualTo(1);
    assertThat(b.receive(second).stale()).isEqualTo(1);
    assertThat(b.row("backends", "id", "b1")).containsEntry("port", 90);
  }

  @Test
  void aLeaseEndOnlyMovesForwardWhoeverWritesLast() {
    a.sql("INSERT INTO registrations (id, app, ttl_ms, expires_ms) VALUES ('r1', 'web', 1000, 5000)");
    b.receive(a.capture());
    tick();
    b.sql("UPDATE registrations SET expires_ms = 9000 WHERE id = 'r1'");
    ChangeSet later = b.capture();
    tick();
    a.sql("UPDATE registrations SET expires_ms = 7000 WHERE id = 'r1'"); // written later, but an earlier end
    ChangeSet lower = a.capture();
    a.receive(later);
    b.receive(lower);
    assertThat(a.row("registrations", "id", "r1")).containsEntry("expires_ms", 9000);
    assertThat(b.row("registrations", "id", "r1")).containsEntry("expires_ms", 9000);

    tick();
    a.sql("UPDATE registrations SET expires_ms = 100 WHERE id = 'r1'"); // a local write backwards is put back
    assertThat(a.capture()).isNull();
    assertThat(a.row("registrations", "id", "r1")).containsEntry("expires_ms", 9000);
    assertThat(a.hashes()).isEqualTo(b.hashes());
  }

  @Test
  void malformedRowsAreRefusedWithTheReasonAndNothingIsWritten() {
    Version v = new Version(wall.get() << 16, "pop-x");
    ApplyResult result = b.receive(List.of(
        new RowChange("__edge_rows", "k", 1, v, Map.of()),
        new RowChange("backends", "", 1, v, Map.of()),
        new RowChange("backends", "b9", 1, v, Map.of("id", new Cell("x", v))),
        new RowChange("backends", "b8", 2, v, Map.of("port", new Cell(80L, v))),
        new RowChange("backends", "b7", 1, v, Map.of("port", new Cell(new Object(), v)))));
    assertThat(result.rejected()).hasSize(5);
    assertThat(result.rejected().get(0)).contains("not one of edgeproxy's or SQLite's own");
    assertThat(result.rejected().get(2)).contains("other than the key");
    assertThat(result.rejected().get(3)).contains("tombstone");
    assertThat(result.rejected().get(4)).contains("unusable value");
    assertThat(result.cleanBatches()).containsExactly(false);
    assertThat(b.allRows()).isEmpty();
  }

  @Test
  void rowsOfATableOrColumnThisSchemaLacksAreKeptAsideAndShippedOn() {
    Version v = new Version(wall.get() << 16, "pop-x");
    RowChange unknownTable = new RowChange("future_rows", "www.example.com", 1, v,
        Map.of("app", new Cell("web", v), "mode", new Cell("terminate", v)));
    RowChange unknownColumn = new RowChange("apps", "web", 1, v,
        Map.of("proxy_protocol", new Cell(1L, v), "cache", new Cell(0L, v)));
    ApplyResult result = b.receive(List.of(unknownTable, unknownColumn));
    assertThat(result.rejected()).isEmpty();
    assertThat(result.applied()).isEqualTo(2);
    assertThat(b.row("apps", "name", "web")).containsEntry("proxy_protocol", 1);
    // Shipped on as received: a third POP with the newer schema gets all of it from this one.
    assertThat(b.allRows()).containsExactlyInAnyOrder(unknownTable, unknownColumn);
    assertThat(b.receive(List.of(unknownTable, unknownColumn)).stale()).isEqualTo(2);
  }

  @Test
  void theSameChangesInAnyOrderGiveTheSameRowsAndHashes() {
    insertBackend(a, "b1");
    insertBackend(a, "b2");
    ChangeSet s1 = a.capture();
    tick();
    a.sql("UPDATE backends SET weight = 7 WHERE id = 'b1'");
    a.sql("DELETE FROM backends WHERE id = 'b2'");
    ChangeSet s2 = a.capture();
    tick();
    a.sql("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b2', 'web', 'us', '10.0.0.9', 99)");
    ChangeSet s3 = a.capture();

    TestReplica c = replica("pop-c", 0);
    b.receive(s3);
    b.receive(s1);
    b.receive(s2);
    c.receive(s2);
    c.receive(s3);
    c.receive(s1);
    c.receive(s2);
    assertThat(b.dump("backends")).isEqualTo(a.dump("backends")).isEqualTo(c.dump("backends"));
    assertThat(b.hashes()).isEqualTo(a.hashes()).isEqualTo(c.hashes());
  }
}
