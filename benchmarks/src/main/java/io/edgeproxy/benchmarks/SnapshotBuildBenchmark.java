package io.edgeproxy.benchmarks;

import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.LoadBoard;
import io.edgeproxy.core.routing.RoutingData;
import io.edgeproxy.core.routing.RoutingSnapshot;
import java.net.InetAddress;
import java.util.ArrayList;
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
import org.openjdk.jmh.annotations.Warmup;

/** Indexing a routing.db's rows into a snapshot: the cost of every reload that found a change. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SnapshotBuildBenchmark {
  @Param({"1000", "100000"})
  public int backends;

  private RoutingData data;
  private final LoadBoard board = new LoadBoard();

  @Setup
  public void setUp() {
    List<Backend> list = new ArrayList<>();
    String[] regions = {"sa", "us", "eu", "ap"};
    String[] countries = {"BR", "US", "DE", "JP"};
    for (int i = 0; i < backends; i++) {
      list.add(new Backend("b" + i, "app" + (i % 100), regions[i % 4], countries[i % 4], InetAddress.getLoopbackAddress(),
          10_000 + i % 50_000, true, 2, 100, 150));
    }
    data = RoutingData.of(list);
  }

  @Benchmark
  public RoutingSnapshot build() {
    return RoutingSnapshot.build(1, data, "sa", board);
  }
}
