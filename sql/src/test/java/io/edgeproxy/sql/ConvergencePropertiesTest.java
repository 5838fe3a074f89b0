package io.edgeproxy.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.core.change.RowChange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The merge is a CRDT: random writes on 3-7 real SQLite replicas (inserts, updates, deletes and
 * key changes on every replicated table, with skewed clocks), shipped in random order with
 * duplicates and losses, end with identical rows on every replica once anti-entropy has repaired
 * the losses. A failing example prints its seed; put it into {@link #runScenario} to replay.
 */
class ConvergencePropertiesTest {
  private static final int BUCKETS = 32;

  /** One replica: a routing.db file, its store and a clock with its own skew. */
  private record Replica(RoutingDb db, ReplicaStore store, HybridClock clock) {}

  /** A shipped batch waiting in the simulated network. */
  private record Delivery(int to, List<RowChange> changes) {}

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
    List<Replica> replicas = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        long skew = random.nextInt(2_000) - 1_000;
        RoutingDb db = RoutingDb.open(dir.resolve("r" + i + ".db"));
        replicas.add(new Replica(db, ReplicaStore.open(db, "pop-" + i), new HybridClock(() -> wall.get() + skew)));
        replicas.get(i).store().digest(ReplicaStore.CACHED_BUCKETS); // from now on kept up to date in memory
      }
      List<Delivery> network = new ArrayList<>();
      int operations = 10 + random.nextInt(40);
      for (int op = 0; op < operations; op++) {
        wall.addAndGet(random.nextInt(3)); // often the same millisecond: exercises the logical counter
        int at = random.nextInt(n);
        Replica r = replicas.get(at);
        r.db().write(randomWrite(random), randomArgs(random));
        List<RowChange> changes = r.store().captureLocal(r.clock());
        for (int to = 0; to < n; to++) {
          if (to == at) {
            continue;
          }
          int fate = random.nextInt(10);
          if (fate < 7) {
            network.add(new Delivery(to, changes)); // delivered, at some point, in some order
          }
          if (fate == 7) {
            network.add(new Delivery(to, changes));
            network.add(new Delivery(to, changes)); // duplicated
          }
          // fate 8, 9: lost; anti-entropy repairs it
        }
        if (random.nextInt(4) == 0) {
          deliverSome(random, replicas, network);
        }
      }
      Collections.shuffle(network, random);
      for (Delivery d : network) {
        Replica r = replicas.get(d.to());
        r.store().apply(d.changes(), r.clock());
      }
      antiEntropyUntilQuiet(replicas);
      String expected = dump(dir.resolve("r0.db"));
      for (int i = 1; i < n; i++) {
        assertThat(dump(dir.resolve("r" + i + ".db"))).as("seed %d: replica %d vs 0", seed, i).isEqualTo(expected);
        assertThat(replicas.get(i).store().digest(BUCKETS)).as("seed %d", seed).isEqualTo(replicas.get(0).store().digest(BUCKETS));
      }
      for (Replica r : replicas) {
        // The digest kept in memory across every commit equals one computed from scratch.
        assertThat(r.store().digest(ReplicaStore.CACHED_BUCKETS)).as("seed %d: cached digest", seed)
            .isEqualTo(ReplicaStore.open(r.db(), null).digest(ReplicaStore.CACHED_BUCKETS));
      }
    } finally {
      replicas.forEach(r -> r.db().close());
    }
  }

  private static void deliverSome(Random random, List<Replica> replicas, List<Delivery> network) {
    Collections.shuffle(network, random);
    int count = random.nextInt(network.size() + 1);
    for (int i = 0; i < count; i++) {
      Delivery d = network.remove(network.size() - 1);
      Replica r = replicas.get(d.to());
      r.store().apply(d.changes(), r.clock());
    }
  }

  /** Pairwise digest comparison and exchange of the differing buckets, as the change-stream does. */
  private static void antiEntropyUntilQuiet(List<Replica> replicas) {
    for (int round = 0; round < 3; round++) {
      for (Replica a : replicas) {
        for (Replica b : replicas) {
          if (a == b) {
            continue;
          }
          long[] da = a.store().digest(BUCKETS);
          long[] db = b.store().digest(BUCKETS);
          BitSet differing = new BitSet();
          for (int i = 0; i < BUCKETS; i++) {
            if (da[i] != db[i]) {
              differing.set(i);
            }
          }
          if (differing.isEmpty()) {
            continue;
          }
          List<RowChange> fromB = new ArrayList<>();
          b.store().rowsIn(differing, BUCKETS, fromB::add);
          List<RowChange> fromA = new ArrayList<>();
          a.store().rowsIn(differing, BUCKETS, fromA::add);
          a.store().apply(fromB, a.clock());
          b.store().apply(fromA, b.clock());
        }
      }
    }
  }

  private static final String[] WRITES = {
    "INSERT OR REPLACE INTO backends (id, app, region, wg_ip, port, weight) VALUES (?, 'web', 'sa', '10.0.0.1', ?, 1)",
    "UPDATE backends SET weight = ?2, healthy = ?2 % 2 WHERE id = ?1",
    "DELETE FROM backends WHERE id = ?1 AND ?2 IS NOT NULL",
    "UPDATE OR IGNORE backends SET id = 'k' || ?2 WHERE id = ?1",
    "INSERT OR REPLACE INTO apps (name, proxy_protocol) VALUES (?, ?2 % 2)",
    "DELETE FROM apps WHERE name = ?1 AND ?2 IS NOT NULL",
    "INSERT OR REPLACE INTO region_countries (country, region) VALUES (?, 'r' || ?2)",
  };

  private static String randomWrite(Random random) {
    return WRITES[random.nextInt(WRITES.length)];
  }

  private static Object[] randomArgs(Random random) {
    return new Object[] {"k" + random.nextInt(6), (long) random.nextInt(6)};
  }

  /** Every replicated table's rows, sorted: equal dumps mean equal contents. */
  private static String dump(Path file) {
    StringBuilder out = new StringBuilder();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      for (ReplicatedTable table : ReplicatedTable.values()) {
        try (ResultSet rs = st.executeQuery("SELECT " + String.join(", ", table.allColumns()) + " FROM " + table.table()
            + " ORDER BY " + table.keyColumn())) {
          while (rs.next()) {
            out.append(table.table());
            for (int i = 1; i <= table.allColumns().size(); i++) {
              out.append('|').append(rs.getObject(i));
            }
            out.append('\n');
          }
        }
      }
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
    return out.toString();
  }
}
