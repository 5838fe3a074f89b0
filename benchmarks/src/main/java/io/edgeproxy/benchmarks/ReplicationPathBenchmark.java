package io.edgeproxy.benchmarks;

import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.sql.ReplicaStore;
import io.edgeproxy.sql.RoutingDb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A row change's way through replication, in one process on real routing.db files: a batch of
 * {@code batch} {@code INSERT OR REPLACE} on one POP (50, as {@code benchmarks/replication.sh}
 * writes; 1, a single edit), captured there, merged into a second POP. The time per batch / batch
 * is what one change costs a POP that writes it plus one that receives it, SQLite included; with
 * {@code -p batch=1} it is mostly what a transaction costs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ReplicationPathBenchmark {
  @Param({"50"})
  public int batch;
  private static final int KEYS = 20_000;

  private Path dir;
  private RoutingDb writerDb;
  private RoutingDb readerDb;
  private ReplicaStore writer;
  private ReplicaStore reader;
  private final HybridClock clock = HybridClock.system(Duration.ofSeconds(5));
  private int written;

  @Setup
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("replication-path");
    writerDb = RoutingDb.open(dir.resolve("a.db"));
    readerDb = RoutingDb.open(dir.resolve("b.db"));
    writer = ReplicaStore.open(writerDb, "pop-a");
    reader = ReplicaStore.open(readerDb, "pop-b");
  }

  @TearDown
  public void tearDown() {
    writerDb.close();
    readerDb.close();
    BenchSupport.deleteTree(dir);
  }

  /** Writes, captures and merges one batch; returns the rows merged (so the work is not dead code). */
  @Benchmark
  public int writeCaptureMerge() {
    StringBuilder sql = new StringBuilder("INSERT OR REPLACE INTO backends (id, app, region, wg_ip, port) VALUES ");
    for (int k = 0; k < batch; k++) {
      sql.append(k == 0 ? "" : ",").append("('t-").append(written % KEYS).append("', 'bench', 'sa', '10.0.0.2', ")
          .append(1000 + written % 50_000).append(')');
      written++;
    }
    writerDb.write(sql.toString());
    ReplicaStore.Capture captured = writer.captureLocal(clock);
    if (captured == null) {
      throw new IllegalStateException("nothing captured after a write");
    }
    return reader.apply(List.of(new ReplicaStore.Batch(captured.set().rows(), null)), clock).applied();
  }
}
