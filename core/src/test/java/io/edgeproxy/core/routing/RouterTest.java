package io.edgeproxy.core.routing;

import static io.edgeproxy.core.testing.TestBackends.backend;
import static io.edgeproxy.core.testing.TestBackends.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.affinity.ClientBindings;
import io.edgeproxy.core.geo.ClientLocator;
import io.edgeproxy.core.geo.FixedGeoResolver;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RouterTest {
  private static final InetAddress BR_CLIENT = ip("200.160.2.3");
  private final AtomicLong clock = new AtomicLong();
  private final RoutingState state = new RoutingState("us", new LoadBoard());
  private final ClientBindings bindings = new ClientBindings(Duration.ofMinutes(10), 1000);
  private final Router router = new Router(state,
      new ClientLocator(new FixedGeoResolver(Map.of(BR_CLIENT, "BR"))), bindings,
      new Router.PassiveHealth(2, Duration.ofSeconds(10)), clock::get);

  private RouteDecision.Reserved reserve(InetAddress client) {
    RouteDecision d = router.route("web", client, Set.of());
    assertThat(d).isInstanceOf(RouteDecision.Reserved.class);
    return (RouteDecision.Reserved) d;
  }

  @Test
  void aClientSticksToItsBackendWhileItIsUsable() {
    state.publish(RoutingData.of(List.of(backend("a", "sa", "BR"), backend("b", "sa", "BR"))));
    RouteDecision.Reserved first = reserve(BR_CLIENT);
    assertThat(first.sticky()).isFalse();
    // Even though the bound backend is now the busier one, the client stays.
    for (int i = 0; i < 5; i++) {
      RouteDecision.Reserved again = reserve(BR_CLIENT);
      assertThat(again.sticky()).isTrue();
      assertThat(again.candidate().id()).isEqualTo(first.candidate().id());
    }
    assertThat(first.explain()).contains("backend=" + first.candidate().id()).contains("tier=0");
  }

  @Test
  void aBindingIsDroppedAndRepickedWhenItsBackendBecomesUnhealthyDeletedOrFull() {
    Backend a = backend("a", "sa", "BR").withLimits(10, 2);
    Backend b = backend("b", "sa", "BR").withLimits(10, 2);
    state.publish(RoutingData.of(List.of(a, b)));
    String bound = reserve(BR_CLIENT).candidate().id();
    String other = bound.equals("a") ? "b" : "a";

    state.publish(RoutingData.of(List.of(a.withHealthy(!bound.equals("a")), b.withHealthy(!bound.equals("b")))));
    RouteDecision.Reserved afterUnhealthy = reserve(BR_CLIENT);
    assertThat(afterUnhealthy.candidate().id()).isEqualTo(other);
    assertThat(afterUnhealthy.sticky()).isFalse();

    // Deleted: the row is gone from the snapshot; "other" is full (2 slots taken), "bound" is back.
    reserve(BR_CLIENT);
    state.publish(RoutingData.of(List.of(bound.equals("a") ? a : b)));
    assertThat(reserve(BR_CLIENT).candidate().id()).isEqualTo(bound);
  }

  @Test
  void aFullBoundBackendIsLeftForAnotherOne() {
    state.publish(RoutingData.of(List.of(backend("a", "sa", "BR").withLimits(1, 1), backend("b", "sa", "BR").withLimits(1, 1))));
    RouteDecision.Reserved first = reserve(BR_CLIENT);
    RouteDecision.Reserved second = reserve(BR_CLIENT);
    assertThat(second.candidate().id()).isNotEqualTo(first.candidate().id());
    assertThat(router.route("web", BR_CLIENT, Set.of())).isInstanceOf(RouteDecision.Refused.class);
    first.lease().release();
    first.lease().release(); // idempotent
    assertThat(first.candidate().load().active()).isZero();
  }

  @Test
  void connectFailuresDropTheBindingAndEjectAfterTheThreshold() {
    state.publish(RoutingData.of(List.of(backend("a", "sa", "BR"), backend("b", "sa", "BR"))));
    RouteDecision.Reserved first = reserve(BR_CLIENT);
    assertThat(router.connectFailed("web", BR_CLIENT, first)).isFalse();
    assertThat(first.candidate().load().active()).isZero();
    RouteDecision.Reserved retry = (RouteDecision.Reserved) router.route("web", BR_CLIENT, Set.of(first.candidate().id()));
    assertThat(retry.candidate().id()).isNotEqualTo(first.candidate().id());
    router.connected(retry);
    // A second consecutive failure of the first backend ejects it for 10 s.
    RouteDecision.Reserved direct = (RouteDecision.Reserved) router.route("web", ip("200.160.2.4"), Set.of(retry.candidate().id()));
    assertThat(router.connectFailed("web", ip("200.160.2.4"), direct)).isTrue();
    for (int i = 0; i < 20; i++) {
      assertThat(reserve(ip("200.160.9." + i)).candidate().id()).isEqualTo(retry.candidate().id());
    }
    clock.addAndGet(Duration.ofSeconds(11).toNanos());
    assertThat(router.route("web", ip("200.160.2.4"), Set.of(retry.candidate().id()))).isInstanceOf(RouteDecision.Reserved.class);
  }

  @Test
  void aBackendAtCapacityGivesItsSlotBackAndIsNeverEjectedForIt() {
    state.publish(RoutingData.of(List.of(backend("a", "sa", "BR"))));
    for (int i = 0; i < 10; i++) { // far past the ejection threshold, were these failures
      RouteDecision.Reserved busy = reserve(ip("200.160.3." + i));
      router.atCapacity("web", ip("200.160.3." + i), busy);
      assertThat(busy.candidate().load().active()).isZero();
    }
    assertThat(router.route("web", BR_CLIENT, Set.of())).isInstanceOf(RouteDecision.Reserved.class);
  }

  @Test
  void unknownAppsAreRefused() {
    state.publish(RoutingData.of(List.of(backend("a", "sa", "BR"))));
    assertThat(router.route("nope", BR_CLIENT, Set.of()))
        .isEqualTo(new RouteDecision.Refused(new Selection.NoHealthyBackend("nope")));
  }

  @Test
  void aClientPassedOverForABackendFullOnThisPopCountsOnceAsItsDemand() {
    Backend near = backend("near", "sa", "BR").withLimits(10, 10); // the BR client's best
    Backend far = backend("far", "us", "US").withLimits(10, 10);
    state.publish(RoutingData.of(List.of(near, far)));
    BackendLoad nearLoad = state.loads().loadOf("near");
    nearLoad.setShare(0, 10); // this POP's share of near's limit: none
    assertThat(reserve(BR_CLIENT).candidate().id()).isEqualTo("far");
    assertThat(nearLoad.takeDemand(10)).as("one client, one unit of demand").isEqualTo(1);
    assertThat(state.loads().loadOf("far").takeDemand(10)).isEqualTo(1); // it holds the client
    // A client whose best is far anyway asks nothing of near.
    nearLoad.setShare(10, 10);
    state.loads().loadOf("far").setShare(0, 10);
    assertThat(reserve(ip("8.8.8.8")).candidate().id()).isEqualTo("near"); // far is this POP's region's
    assertThat(state.loads().loadOf("far").takeDemand(10)).isEqualTo(1 + 1);
    nearLoad.takeDemand(10);
    nearLoad.setShare(0, 10);
    state.loads().loadOf("far").setShare(10, 10);
    assertThat(router.route("web", ip("8.8.8.9"), Set.of())).isInstanceOf(RouteDecision.Reserved.class);
    assertThat(nearLoad.takeDemand(10)).as("a client of this POP's region would not have gone to near: only the one it holds")
        .isEqualTo(1);
  }
}
