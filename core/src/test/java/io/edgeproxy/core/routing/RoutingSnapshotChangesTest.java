package io.edgeproxy.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.geo.ClientLocation;
import io.edgeproxy.core.geo.RegionMap;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * A snapshot updated in place ({@link RoutingSnapshot#withChanges}) indexes exactly as one built from
 * scratch from the same data: same backends per app in the same order, same picks for any client.
 */
class RoutingSnapshotChangesTest {
  private static final String[] APPS = {"web", "api", "db"};
  private static final String[] REGIONS = {"sa", "us", "eu", "ap"};
  private static final String[] COUNTRIES = {"BR", "AR", "US", "CA", "DE", "FR", "JP", null};

  private static Backend backend(Random random, String id) {
    int region = random.nextInt(REGIONS.length);
    return new Backend(id, APPS[random.nextInt(APPS.length)], REGIONS[region], COUNTRIES[random.nextInt(COUNTRIES.length)],
        InetAddress.getLoopbackAddress(), 1000 + random.nextInt(1000), random.nextInt(10) > 0, random.nextInt(4),
        1 + random.nextInt(50), random.nextInt(3) == 0 ? 0 : 60);
  }

  @RepeatedTest(30)
  void anInPlaceUpdateIndexesAsAFullBuild(RepetitionInfo repetition) {
    Random random = new Random(repetition.getCurrentRepetition());
    LoadBoard board = new LoadBoard();
    List<Backend> backends = new ArrayList<>();
    int size = 1 + random.nextInt(200); // large enough for sampled sets (over 32 members)
    for (int i = 0; i < size; i++) {
      backends.add(backend(random, "b" + i));
    }
    RoutingData data = new RoutingData(backends, RegionMap.defaults(), Map.of());
    RoutingSnapshot snapshot = RoutingSnapshot.build(1, data, "sa", board);
    for (int round = 0; round < 12; round++) { // enough rounds for the id index to fold its changes in
      // Some backends change (other app, region, health, weight), some go, some are new.
      Map<String, Backend> changes = new LinkedHashMap<>();
      for (int k = random.nextInt(20); k >= 0; k--) {
        String id = "b" + random.nextInt(size + 40);
        changes.put(id, random.nextInt(4) == 0 ? null : backend(random, id));
      }
      List<Backend> next = new ArrayList<>();
      for (Backend b : data.backends()) {
        if (!changes.containsKey(b.id())) {
          next.add(b);
        }
      }
      changes.values().stream().filter(b -> b != null).forEach(next::add);
      data = new RoutingData(next, RegionMap.defaults(), Map.of());
      // some loads, so scores differ between backends
      for (Backend b : next) {
        if (random.nextInt(3) == 0) {
          board.loadOf(b.id()).tryAcquire(0);
        }
      }
      snapshot = snapshot.withChanges(snapshot.version() + 1, data, changes, board);
      RoutingSnapshot full = RoutingSnapshot.build(snapshot.version(), data, "sa", board);

      assertThat(snapshot.appNames()).isEqualTo(full.appNames());
      for (String app : APPS) {
        AppRoutes incremental = snapshot.routesFor(app);
        AppRoutes rebuilt = full.routesFor(app);
        if (rebuilt == null) {
          assertThat(incremental).isNull();
          continue;
        }
        assertThat(incremental.all()).extracting(Candidate::backend).containsExactlyElementsOf(
            rebuilt.all().stream().map(Candidate::backend).toList());
        assertThat(incremental.eligibleCount()).isEqualTo(rebuilt.eligibleCount());
        for (String country : COUNTRIES) {
          if (country != null) {
            assertThat(ids(incremental.inCountry(country))).as(country).isEqualTo(ids(rebuilt.inCountry(country)));
          }
        }
        for (String region : REGIONS) {
          assertThat(ids(incremental.inRegion(region))).as(region).isEqualTo(ids(rebuilt.inRegion(region)));
        }
        assertThat(ids(incremental.eligible())).isEqualTo(ids(rebuilt.eligible()));
        for (int i = 0; i < size + 40; i++) {
          Candidate a = incremental.byId("b" + i);
          Candidate b = rebuilt.byId("b" + i);
          assertThat(a == null ? null : a.backend()).as("b" + i).isEqualTo(b == null ? null : b.backend());
        }
        GeoLoadBalancer balancer = new GeoLoadBalancer();
        for (int c = 0; c < 40; c++) {
          ClientLocation client = new ClientLocation(COUNTRIES[random.nextInt(COUNTRIES.length)], REGIONS[random.nextInt(4)]);
          long tieBreak = random.nextLong();
          assertThat(describe(balancer.pick(incremental, client, "sa", tieBreak, Set.of(), 0)))
              .isEqualTo(describe(balancer.pick(rebuilt, client, "sa", tieBreak, Set.of(), 0)));
        }
      }
      for (Backend b : data.backends()) {
        assertThat(snapshot.backend(b.id())).isEqualTo(b);
      }
    }
  }

  private static List<String> ids(CandidateSet set) {
    return set.asList().stream().map(Candidate::id).toList();
  }

  private static String describe(Selection selection) {
    return selection instanceof Selection.Picked p ? p.candidate().id() + "@" + p.tier() + "/" + p.score() : selection.toString();
  }
}
