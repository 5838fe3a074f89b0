package io.edgeproxy.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.edgeproxy.core.geo.ClientLocation;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Properties of selection over random scenarios. Each scenario is built from one seed, which the
 * failure message shows; to replay a failure, put that seed into {@link #scenarioFor}.
 */
class SelectionPropertiesTest {
  private static final String[] REGIONS = {"sa", "us", "eu", "ap"};
  private static final String[][] COUNTRIES = {{"BR", "AR"}, {"US", "CA"}, {"DE", "FR"}, {"JP", "AU"}};
  private final GeoLoadBalancer balancer = new GeoLoadBalancer();

  /** A random app of up to 30 backends with random health, weights, limits, loads and ejections. */
  record Scenario(long seed, AppRoutes routes, ClientLocation client, String popRegion, Set<String> excluded, long tieBreak) {
    Selection pick(GeoLoadBalancer balancer) {
      return balancer.pick(routes, client, popRegion, tieBreak, excluded, 1_000L);
    }

    @Override
    public String toString() {
      return "scenario seed " + seed;
    }
  }

  static Scenario scenarioFor(long seed) {
    Random r = new Random(seed);
    int n = 1 + r.nextInt(30);
    List<Backend> backends = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int region = r.nextInt(REGIONS.length);
      String country = r.nextInt(5) == 0 ? null : COUNTRIES[region][r.nextInt(2)];
      backends.add(new Backend("b" + i, "web", REGIONS[region], country, InetAddress.getLoopbackAddress(),
          9000 + i, r.nextInt(5) != 0, r.nextInt(5), r.nextInt(4), r.nextInt(5)));
    }
    LoadBoard board = new LoadBoard();
    String pop = REGIONS[r.nextInt(REGIONS.length)];
    RoutingSnapshot snap = RoutingSnapshot.build(1, RoutingData.of(backends), pop, board);
    AppRoutes routes = snap.routesFor("web");
    Set<String> excluded = new HashSet<>();
    for (Candidate c : routes.all()) {
      int active = r.nextInt(6);
      for (int i = 0; i < active; i++) {
        c.load().tryAcquire(c.backend().hardLimit());
      }
      if (r.nextInt(8) == 0) {
        c.load().recordConnectFailure(0, 1, 10_000); // ejected until t=10,000
      }
      if (r.nextInt(10) == 0) {
        excluded.add(c.id());
      }
    }
    int clientRegion = r.nextInt(REGIONS.length + 1);
    ClientLocation client = clientRegion == REGIONS.length
        ? ClientLocation.UNKNOWN
        : new ClientLocation(COUNTRIES[clientRegion][r.nextInt(2)], REGIONS[clientRegion]);
    return new Scenario(seed, routes, client, pop, excluded, r.nextLong());
  }

  private static boolean available(Scenario s, Candidate c) {
    Backend b = c.backend();
    return b.healthy() && b.weight() > 0
        && !c.load().isFull(b.hardLimit())
        && !c.load().isEjected(1_000L)
        && !s.excluded().contains(b.id());
  }

  private static double bruteForceScore(Scenario s, Candidate c) {
    double soft = c.backend().softLimit() == 0 ? 1 : c.backend().softLimit();
    return Tier.of(c.backend(), s.client(), s.popRegion()) * 100 + (c.load().active() / soft) / c.backend().weight();
  }

  @Test
  void neverPicksAnUnavailableBackend() {
    qt().withExamples(2_000).forAll(longs().all()).checkAssert(seed -> {
      Scenario s = scenarioFor(seed);
      if (s.pick(balancer) instanceof Selection.Picked p) {
        assertThat(available(s, p.candidate())).as(s.toString()).isTrue();
      }
    });
  }

  @Test
  void picksTheLowestScoreWhichRespectsTierOrder() {
    qt().withExamples(2_000).forAll(longs().all()).checkAssert(seed -> {
      Scenario s = scenarioFor(seed);
      double best = s.routes().all().stream().filter(c -> available(s, c))
          .mapToDouble(c -> bruteForceScore(s, c)).min().orElse(Double.NaN);
      Selection picked = s.pick(balancer);
      if (Double.isNaN(best)) {
        assertThat(picked).as(s.toString()).isNotInstanceOf(Selection.Picked.class);
      } else {
        assertThat(picked).as(s.toString()).isInstanceOf(Selection.Picked.class);
        Selection.Picked p = (Selection.Picked) picked;
        assertThat(p.score()).as(s.toString()).isEqualTo(best);
        assertThat(p.score()).as(s.toString()).isEqualTo(bruteForceScore(s, p.candidate()));
      }
    });
  }

  @Test
  void noHealthyBackendOnlyWhenNoneAcceptsNewClients() {
    qt().withExamples(1_000).forAll(longs().all()).checkAssert(seed -> {
      Scenario s = scenarioFor(seed);
      boolean anyAccepting = s.routes().all().stream().anyMatch(c -> c.backend().acceptsNewClients());
      assertThat(s.pick(balancer) instanceof Selection.NoHealthyBackend).as(s.toString()).isEqualTo(!anyAccepting);
    });
  }

  @Test
  void sameInputGivesTheSameAnswer() {
    qt().withExamples(1_000).forAll(longs().all()).checkAssert(seed -> {
      Scenario s = scenarioFor(seed);
      assertThat(s.pick(balancer)).as(s.toString()).isEqualTo(s.pick(balancer));
      assertThat(scenarioFor(seed).pick(balancer).toString()).isEqualTo(s.pick(balancer).toString());
    });
  }

  @Test
  void sharesAmongIdleEqualTierBackendsFollowWeights() {
    qt().withExamples(25).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      int n = 2 + r.nextInt(5);
      List<Backend> backends = new ArrayList<>();
      int total = 0;
      for (int i = 0; i < n; i++) {
        int weight = 1 + r.nextInt(5);
        total += weight;
        backends.add(new Backend("b" + i, "web", "eu", "DE", InetAddress.getLoopbackAddress(), 9000, true, weight, 10, 0));
      }
      AppRoutes routes = RoutingSnapshot.build(1, RoutingData.of(backends), "sa", new LoadBoard()).routesFor("web");
      Map<String, Integer> counts = new HashMap<>();
      int clients = 30_000;
      for (long client = 0; client < clients; client++) {
        var p = (Selection.Picked) balancer.pick(routes, new ClientLocation("DE", "eu"), "sa",
            Hashing.mix64(seed ^ client), Set.of(), 0);
        counts.merge(p.candidate().id(), 1, Integer::sum);
      }
      for (Backend b : backends) {
        double expected = (double) b.weight() / total;
        assertThat(counts.getOrDefault(b.id(), 0) / (double) clients)
            .as("seed %d backend %s weight %d/%d", seed, b.id(), b.weight(), total)
            .isCloseTo(expected, org.assertj.core.data.Offset.offset(0.025));
      }
    });
  }
}
