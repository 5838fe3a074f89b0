package io.edgeproxy.benchmarks;

import io.edgeproxy.core.geo.ClientLocation;
import io.edgeproxy.core.routing.AppRoutes;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.GeoLoadBalancer;
import io.edgeproxy.core.routing.Hashing;
import io.edgeproxy.core.routing.LoadBoard;
import io.edgeproxy.core.routing.RoutingData;
import io.edgeproxy.core.routing.RoutingSnapshot;
import io.edgeproxy.core.routing.Selection;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One selection (GeoLoadBalancer.pick) for a new client of an app with n backends spread over the
 * four default regions and 16 countries, with random load (about a third of the hard limit used,
 * a few backends full) and clients from every region or with no geo. Goal: <= 1 us per pick, flat in n.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SelectionBenchmark {
  private static final String[] REGIONS = {"sa", "us", "eu", "ap"};
  private static final String[][] COUNTRIES = {
    {"BR", "AR", "CL", "CO"}, {"US", "CA", "MX", "PA"}, {"DE", "FR", "GB", "ZA"}, {"JP", "IN", "AU", "SG"}};

  @Param({"10", "1000", "100000"})
  public int backends;

  private final GeoLoadBalancer balancer = new GeoLoadBalancer();
  private AppRoutes routes;
  private ClientLocation[] clients;
  private long[] tieBreaks;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    Random random = new Random(42);
    List<Backend> list = new ArrayList<>(backends);
    for (int i = 0; i < backends; i++) {
      int r = random.nextInt(REGIONS.length);
      list.add(new Backend("b" + i, "web", REGIONS[r], COUNTRIES[r][random.nextInt(4)], InetAddress.getLoopbackAddress(),
          10_000 + i % 50_000, random.nextInt(20) != 0, 1 + random.nextInt(4), 100, 150));
    }
    RoutingSnapshot snapshot = RoutingSnapshot.build(1, RoutingData.of(list), "sa", new LoadBoard());
    routes = snapshot.routesFor("web");
    for (var c : routes.all()) {
      int active = random.nextInt(100) == 0 ? 150 : random.nextInt(100);
      for (int i = 0; i < active; i++) {
        c.load().tryAcquire(c.backend().hardLimit());
      }
    }
    clients = new ClientLocation[256];
    tieBreaks = new long[256];
    for (int i = 0; i < clients.length; i++) {
      int r = random.nextInt(REGIONS.length + 1);
      clients[i] = r == REGIONS.length ? ClientLocation.UNKNOWN : new ClientLocation(COUNTRIES[r][random.nextInt(4)], REGIONS[r]);
      tieBreaks[i] = Hashing.mix64(i);
    }
  }

  @Benchmark
  public Selection pick() {
    int i = next++ & 255;
    return balancer.pick(routes, clients[i], "sa", tieBreaks[i], Set.of(), 0L);
  }
}
