package io.edgeproxy.core.routing;

import static io.edgeproxy.core.testing.TestBackends.backend;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.geo.ClientLocation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GeoLoadBalancerTest {
  private final GeoLoadBalancer balancer = new GeoLoadBalancer();
  private final LoadBoard board = new LoadBoard();
  private static final ClientLocation BRAZIL = new ClientLocation("BR", "sa");
  private static final ClientLocation GERMANY = new ClientLocation("DE", "eu");

  private AppRoutes routes(Backend... backends) {
    return RoutingSnapshot.build(1, RoutingData.of(List.of(backends)), "us", board).routesFor("web");
  }

  private Selection pick(AppRoutes routes, ClientLocation client) {
    return balancer.pick(routes, client, "us", 42L, Set.of(), 0L);
  }

  private static String pickedId(Selection s) {
    assertThat(s).isInstanceOf(Selection.Picked.class);
    return ((Selection.Picked) s).candidate().id();
  }

  @Test
  void prefersSameCountryThenSameRegionThenPopRegionThenAnywhere() {
    Backend br = backend("br", "sa", "BR");
    Backend ar = backend("ar", "sa", "AR");
    Backend us = backend("us", "us", "US");
    Backend ap = backend("ap", "ap", "JP");
    assertThat(pickedId(pick(routes(ap, us, ar, br), BRAZIL))).isEqualTo("br");
    assertThat(pickedId(pick(routes(ap, us, ar), BRAZIL))).isEqualTo("ar");
    assertThat(pickedId(pick(routes(ap, us), BRAZIL))).isEqualTo("us");
    assertThat(pickedId(pick(routes(ap), BRAZIL))).isEqualTo("ap");
  }

  @Test
  void reportsTierAndScoreLikeTheOriginal() {
    Backend br = backend("br", "sa", "BR").withLimits(10, 0).withWeight(2);
    AppRoutes routes = routes(br);
    routes.byId("br").load().tryAcquire(0);
    routes.byId("br").load().tryAcquire(0);
    var picked = (Selection.Picked) pick(routes, GERMANY);
    // Not in the client's country or region and not in the POP's region ("us"): tier 3.
    assertThat(picked.tier()).isEqualTo(3);
    assertThat(picked.score()).isEqualTo(300 + (2 / 10.0) / 2);
  }

  @Test
  void unknownClientGeoUsesThePopRegionFirst() {
    Backend sa = backend("sa1", "sa", "BR");
    Backend us = backend("us1", "us", "US");
    assertThat(pickedId(pick(routes(sa, us), ClientLocation.UNKNOWN))).isEqualTo("us1");
  }

  @Test
  void neverPicksUnhealthyOrDrainedBackends() {
    Backend sick = backend("sick", "sa", "BR").withHealthy(false);
    Backend drained = backend("drained", "sa", "BR").withWeight(0);
    Backend far = backend("far", "ap", "JP");
    assertThat(pickedId(pick(routes(sick, drained, far), BRAZIL))).isEqualTo("far");
    assertThat(pick(routes(sick, drained), BRAZIL)).isInstanceOf(Selection.NoHealthyBackend.class);
  }

  @Test
  void fullBackendsAreSkippedAndAllFullIsReported() {
    Backend near = backend("near", "sa", "BR").withLimits(1, 1);
    Backend far = backend("far", "ap", "JP").withLimits(1, 1);
    AppRoutes routes = routes(near, far);
    assertThat(routes.byId("near").load().tryAcquire(1)).isTrue();
    assertThat(pickedId(pick(routes, BRAZIL))).isEqualTo("far");
    assertThat(routes.byId("far").load().tryAcquire(1)).isTrue();
    assertThat(pick(routes, BRAZIL)).isInstanceOf(Selection.AllAtCapacity.class);
  }

  @Test
  void excludedAndEjectedBackendsAreSkipped() {
    Backend a = backend("a", "sa", "BR");
    Backend b = backend("b", "sa", "BR");
    Backend c = backend("c", "sa", "BR");
    AppRoutes routes = routes(a, b, c);
    routes.byId("a").load().recordConnectFailure(0, 1, 1_000);
    Selection s = balancer.pick(routes, BRAZIL, "us", 7L, Set.of("b"), 10L);
    assertThat(pickedId(s)).isEqualTo("c");
    // After the cool-down, "a" is back.
    Selection later = balancer.pick(routes, BRAZIL, "us", 7L, Set.of("b", "c"), 5_000L);
    assertThat(pickedId(later)).isEqualTo("a");
  }

  @Test
  void lowerLoadPerWeightWinsWithinATier() {
    Backend busy = backend("busy", "sa", "BR").withLimits(10, 0);
    Backend idle = backend("idle", "sa", "BR").withLimits(10, 0);
    AppRoutes routes = routes(busy, idle);
    routes.byId("busy").load().tryAcquire(0);
    for (long client = 0; client < 50; client++) {
      assertThat(pickedId(balancer.pick(routes, BRAZIL, "us", client, Set.of(), 0))).isEqualTo("idle");
    }
  }

  @Test
  void anOverloadedNearBackendLosesToAnIdleOneInTheNextTierOnlyPastOneHundred() {
    // The original's formula is kept exactly: tier 0 at load factor 150 scores 150 > tier 1 idle (100).
    Backend near = backend("near", "sa", "BR").withLimits(1, 0);
    Backend next = backend("next", "sa", "AR");
    AppRoutes routes = routes(near, next);
    for (int i = 0; i < 150; i++) {
      routes.byId("near").load().tryAcquire(0);
    }
    assertThat(pickedId(pick(routes, BRAZIL))).isEqualTo("next");
  }

  @Test
  void idleBackendsOfOneTierShareClientsByWeight() {
    Backend light = backend("light", "sa", "BR").withWeight(1);
    Backend heavy = backend("heavy", "sa", "BR").withWeight(3);
    AppRoutes routes = routes(light, heavy);
    Map<String, Integer> counts = new HashMap<>();
    for (long client = 0; client < 40_000; client++) {
      counts.merge(pickedId(balancer.pick(routes, BRAZIL, "us", Hashing.mix64(client), Set.of(), 0)), 1, Integer::sum);
    }
    assertThat(counts.get("heavy") / 40_000.0).isBetween(0.73, 0.77);
  }

  @Test
  void largeCandidateSetsAreSampledAndStillShareByWeight() {
    Backend[] many = new Backend[200];
    for (int i = 0; i < many.length; i++) {
      many[i] = backend("b" + i, "sa", "BR").withWeight(i < 100 ? 1 : 3);
    }
    AppRoutes routes = routes(many);
    int heavy = 0;
    for (long client = 0; client < 40_000; client++) {
      String id = pickedId(balancer.pick(routes, BRAZIL, "us", Hashing.mix64(client), Set.of(), 0));
      if (Integer.parseInt(id.substring(1)) >= 100) {
        heavy++;
      }
    }
    assertThat(heavy / 40_000.0).isBetween(0.73, 0.77);
  }

  @Test
  void sampledSetsFallBackToAScanWhenEverySampleIsFull() {
    Backend[] many = new Backend[100];
    for (int i = 0; i < many.length; i++) {
      many[i] = backend("b" + i, "sa", "BR").withLimits(1, 1);
    }
    AppRoutes routes = routes(many);
    for (int i = 0; i < 99; i++) {
      routes.byId("b" + i).load().tryAcquire(1);
    }
    assertThat(pickedId(pick(routes, BRAZIL))).isEqualTo("b99");
  }

  @Test
  void samplesThatWouldLoseToALaterTierAreCheckedByAScanOfTheWholeTier() {
    Backend[] many = new Backend[41];
    for (int i = 0; i < 40; i++) {
      many[i] = backend("c" + i, "sa", "BR").withLimits(1, 0);
    }
    many[40] = backend("region", "sa", "AR");
    AppRoutes routes = routes(many);
    for (int i = 0; i < 39; i++) {
      for (int k = 0; k < 150; k++) {
        routes.byId("c" + i).load().tryAcquire(0); // load score 150: worse than an idle tier-1 backend
      }
    }
    for (long client = 0; client < 200; client++) {
      assertThat(pickedId(balancer.pick(routes, BRAZIL, "us", Hashing.mix64(client), Set.of(), 0))).isEqualTo("c39");
    }
  }

  @Test
  void otherAppsBackendsAreNeverPicked() {
    Backend mine = backend("mine", "web", "ap", "JP", 9000);
    Backend theirs = backend("theirs", "api", "sa", "BR", 9001);
    RoutingSnapshot snap = RoutingSnapshot.build(1, RoutingData.of(List.of(mine, theirs)), "sa", board);
    Selection s = balancer.pick(snap.routesFor("web"), BRAZIL, "sa", 1, Set.of(), 0);
    assertThat(pickedId(s)).isEqualTo("mine");
    assertThat(snap.routesFor("nope")).isNull();
    assertThat(snap.routesFor(RoutingSnapshot.ANY_APP).eligibleCount()).isEqualTo(2);
  }
}
