package io.edgeproxy.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.edgeproxy.core.change.RowChange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The merge is a CRDT: random writes on 3-7 real SQLite replicas (inserts, updates of single
 * columns, deletes, re-inserts and key changes on every replicated table, lease renewals merged by
 * max, with skewed clocks), shipped in random order with duplicates and losses, end with identical
 * rows and row hashes on every replica once the losses are repaired by comparing row hashes. The
 * row hashes kept up to date from the reported deltas equal a scan. A failing example prints its
 * seed; call {@link #runScenario} with it to replay.
 */
class ConvergencePropertiesTest {
  /** A shipped change set waiting in the simulated network. */
  private record Delivery(int to, List<RowChange> rows) {}

  @Test
  void randomWritesDeliveredInAnyOrderWithDuplicatesAndLossesConverge() {
    qt().withExamples(40).forAll(longs().all()).checkAssert(ConvergencePropertiesTest::runScenario);
  }

  static void runScenario(long seed) {
    Random random = new Random(seed);
    Path dir;
    try {
      dir = Files.createTempDirectory("converge");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    int n = 3 + random.nextInt(5);
    AtomicLong wall = new AtomicLong(1_700_000_000_000L);
    List<TestReplica> replicas = new ArrayList<>();
    List<Map<RowKey, Long>> tracked = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        replicas.add(TestReplica.open(dir, "pop-" + i, wall, random.nextInt(400) - 200));
        tracked.add(new HashMap<>());
      }
      List<Delivery> network = new ArrayList<>();
      int operations = 10 + random.nextInt(50);
      for (int op = 0; op < operations; op++) {
        wall.addAndGet(random.nextInt(3)); // often the same millisecond: exercises the logical counter
        int at = random.nextInt(n);
        TestReplica r = replicas.get(at);
        Write write = WRITES[random.nextInt(WRITES.length)];
        Object[] params = {"k" + random.nextInt(5), (long) random.nextInt(6), wall.get() + random.nextInt(5_000)};
        r.sql(write.sql(), java.util.Arrays.copyOf(params, write.parameters()));
        ReplicaStore.Capture capture = r.store.captureLocal(r.clock);
        if (capture == null) {
          continue;
        }
        track(tracked.get(at), capture.deltas());
        for (int to = 0; to < n; to++) {
          int fate = random.nextInt(10);
          if (to == at || fate >= 8) {
            continue; // fate 8, 9: lost; repaired below
          }
          network.add(new Delivery(to, capture.set().rows()));
          if (fate == 7) {
            network.add(new Delivery(to, capture.set().rows())); // duplicated
          }
        }
        if (random.nextInt(4) == 0) {
          deliver(random, replicas, tracked, network, random.nextInt(network.size() + 1));
        }
      }
      deliver(random, replicas, tracked, network, network.size());
      repairUntilQuiet(replicas, tracked);

      TestReplica first = replicas.getFirst();
      for (TestReplica r : replicas) {
        for (ReplicatedTable table : first.store.schema().tables()) {
          assertThat(r.dump(table.name())).as("seed %d: %s of %s vs %s", seed, table.name(), r.name, first.name)
              .isEqualTo(first.dump(table.name()));
        }
        assertThat(r.hashes()).as("seed %d: hashes of %s", seed, r.name).isEqualTo(first.hashes());
      }
      for (int i = 0; i < n; i++) {
        Map<RowKey, Long> fromDeltas = new HashMap<>(tracked.get(i));
        fromDeltas.values().removeIf(v -> v == 0);
        assertThat(fromDeltas).as("seed %d: hashes of %s kept from deltas", seed, replicas.get(i).name)
            .isEqualTo(replicas.get(i).hashes());
      }
    } finally {
      replicas.forEach(TestReplica::close);
    }
  }

  private static void track(Map<RowKey, Long> hashes, List<DigestDelta> deltas) {
    for (DigestDelta d : deltas) {
      hashes.merge(d.row(), d.delta(), Long::sum);
    }
  }

  private static void receive(TestReplica r, Map<RowKey, Long> hashes, List<RowChange> rows) {
    ApplyResult result = r.receive(rows);
    assertThat(result.rejected()).isEmpty();
    track(hashes, result.deltas());
    if (result.captured() != null) {
      track(hashes, result.captured().deltas());
    }
  }

  private static void deliver(Random random, List<TestReplica> replicas, List<Map<RowKey, Long>> tracked,
      List<Delivery> network, int count) {
    Collections.shuffle(network, random);
    for (int i = 0; i < count; i++) {
      Delivery d = network.removeLast();
      receive(replicas.get(d.to()), tracked.get(d.to()), d.rows());
    }
  }

  /** Pairwise: rows whose hashes differ (or that one side lacks) travel both ways, as anti-entropy does. */
  private static void repairUntilQuiet(List<TestReplica> replicas, List<Map<RowKey, Long>> tracked) {
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < replicas.size(); i++) {
        for (int j = 0; j < replicas.size(); j++) {
          if (i == j) {
            continue;
          }
          Map<RowKey, Long> ha = replicas.get(i).hashes();
          Map<RowKey, Long> hb = replicas.get(j).hashes();
          List<RowKey> differ = new ArrayList<>();
          for (var e : ha.entrySet()) {
            if (!e.getValue().equals(hb.get(e.getKey()))) {
              differ.add(e.getKey());
            }
          }
          for (RowKey k : hb.keySet()) {
            if (!ha.containsKey(k)) {
              differ.add(k);
            }
          }
          if (differ.isEmpty()) {
            continue;
          }
          List<RowChange> fromA = replicas.get(i).store.rows(differ);
          List<RowChange> fromB = replicas.get(j).store.rows(differ);
          receive(replicas.get(i), tracked.get(i), fromB);
          receive(replicas.get(j), tracked.get(j), fromA);
        }
      }
    }
  }

  /** A write with parameters ?1 = a key, ?2 = a small number, ?3 = a time in ms (as many as it uses). */
  private record Write(String sql) {
    int parameters() {
      return sql.contains("?3") ? 3 : sql.contains("?2") ? 2 : 1;
    }
  }

  private static final Write[] WRITES = {
    new Write("INSERT OR REPLACE INTO backends (id, app, region, wg_ip, port, weight) VALUES (?1, 'web', 'sa', '10.0.0.1', ?2 + 1, 1)"),
    new Write("UPDATE backends SET weight = ?2 WHERE id = ?1"),
    new Write("UPDATE backends SET healthy = ?2 % 2 WHERE id = ?1"),
    new Write("DELETE FROM backends WHERE id = ?1"),
    new Write("UPDATE OR IGNORE backends SET id = 'k' || ?2 WHERE id = ?1"),
    new Write("INSERT INTO apps (name, proxy_protocol) VALUES (?1, ?2 % 2) ON CONFLICT(name) DO UPDATE SET proxy_protocol = excluded.proxy_protocol"),
    new Write("DELETE FROM apps WHERE name = ?1"),
    new Write("INSERT OR REPLACE INTO region_countries (country, region) VALUES (?1, 'r' || ?2)"),
    new Write("INSERT OR IGNORE INTO registrations (id, app, ttl_ms, expires_ms) VALUES (?1, 'web', 1000 * ?2, ?3)"),
    new Write("UPDATE registrations SET expires_ms = max(expires_ms, ?3), ttl_ms = ?2 WHERE id = ?1"),
    new Write("DELETE FROM registrations WHERE id = ?1"),
    new Write("INSERT OR REPLACE INTO api_tokens (hash, scope, created_ms) VALUES (?1, 'web', ?3)"),
    new Write("DELETE FROM api_tokens WHERE hash = ?1"),
    new Write("INSERT OR REPLACE INTO health_checks (app, type, interval_ms) VALUES (?1, 'tcp', 100 * (?2 + 1))"),
    new Write("UPDATE health_checks SET rise = ?2 + 1 WHERE app = ?1"),
  };

}
