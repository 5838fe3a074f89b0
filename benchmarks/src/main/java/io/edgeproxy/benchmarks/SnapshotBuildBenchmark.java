package io.edgeproxy.benchmarks;

import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.LoadBoard;
import io.edgeproxy.core.routing.RoutingData;
import io.edgeproxy.core.routing.RoutingSnapshot;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
  /** {@code backends} rows all in app "big", and 64 new ones for it: a batch of registrations. */
  private RoutingSnapshot bigApp;
  private RoutingData bigAppAfter;
  private Map<String, Backend> registrations;

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

    List<Backend> big = new ArrayList<>();
    for (int i = 0; i < backends; i++) {
      big.add(new Backend("big-" + i, "big", regions[i % 4], countries[i % 4], InetAddress.getLoopbackAddress(), 8080, true, 2,
          100, 150));
    }
    bigApp = RoutingSnapshot.build(1, RoutingData.of(big), "sa", new LoadBoard());
    registrations = new LinkedHashMap<>();
    for (int i = 0; i < 64; i++) {
      Backend b = new Backend("new-" + i, "big", regions[i % 4], countries[i % 4], InetAddress.getLoopbackAddress(), 8080, true, 2,
          100, 150);
      registrations.put(b.id(), b);
      big.add(b);
    }
    bigAppAfter = RoutingData.of(big);
  }

  /** One batch of 64 registrations into an app of {@code backends}: the discovery API's cost per batch. */
  @Benchmark
  public RoutingSnapshot registerBatchIntoOneApp() {
    return bigApp.withChanges(2, bigAppAfter, registrations, board);
  }

  @Benchmark
  public RoutingSnapshot build() {
    return RoutingSnapshot.build(1, data, "sa", board);
  }
}
