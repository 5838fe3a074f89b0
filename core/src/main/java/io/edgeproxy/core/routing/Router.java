package io.edgeproxy.core.routing;

import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.affinity.ClientBindings;
import io.edgeproxy.core.geo.ClientLocation;
import io.edgeproxy.core.geo.ClientLocator;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Routes one client connection of one app: the affinity binding if it is still usable, otherwise
 * a fresh selection; either way a slot is reserved before the caller connects, so the hard limit
 * holds under any concurrency. Thread-safe, non-blocking; called on I/O threads.
 */
public final class Router {
  /** How often a selection is retried when another thread took the last slot in between. */
  private static final int RESERVE_ATTEMPTS = 8;

  private final RoutingState state;
  private final ClientLocator locator;
  private final ClientBindings bindings;
  private final PassiveHealth passiveHealth;
  private final GeoLoadBalancer balancer = new GeoLoadBalancer();
  private final LongSupplier nanoClock;

  /**
   * Passive health: after {@code ejectAfterFailures} consecutive connect failures a backend gets no
   * new clients on this POP for {@code ejectFor}. {@code ejectAfterFailures} 0 turns it off.
   */
  public record PassiveHealth(int ejectAfterFailures, Duration ejectFor) {}

  public Router(
      RoutingState state, ClientLocator locator, ClientBindings bindings, PassiveHealth passiveHealth, LongSupplier nanoClock) {
    this.state = requireNonNull(state, "state");
    this.locator = requireNonNull(locator, "locator");
    this.bindings = requireNonNull(bindings, "bindings");
    this.passiveHealth = requireNonNull(passiveHealth, "passiveHealth");
    this.nanoClock = requireNonNull(nanoClock, "nanoClock");
  }

  /**
   * Chooses a backend for {@code client} and reserves a slot on it.
   *
   * @param excludedIds backends already tried for this connection (they failed to connect)
   */
  public RouteDecision route(String app, InetAddress client, Collection<String> excludedIds) {
    RoutingSnapshot snapshot = state.current();
    AppRoutes routes = snapshot.routesFor(app);
    if (routes == null) {
      return new RouteDecision.Refused(new Selection.NoHealthyBackend(app));
    }
    long now = nanoClock.getAsLong();
    RouteDecision sticky = fromBinding(snapshot, routes, app, client, excludedIds, now);
    if (sticky != null) {
      return sticky;
    }
    ClientLocation location = locator.locate(client, snapshot.regions());
    long tieBreak = Hashing.ofAddress(client);
    for (int attempt = 0; attempt < RESERVE_ATTEMPTS; attempt++) {
      Selection selection =
          balancer.pick(routes, location, snapshot.popRegion(), tieBreak, excludedIds, now);
      if (attempt == 0 && selection.passedOver() != null) {
        selection.passedOver().load().turnedAway(); // once per client: the demand this POP's share follows
      }
      if (!(selection instanceof Selection.Picked picked)) {
        return new RouteDecision.Refused(selection);
      }
      Candidate c = picked.candidate();
      if (c.load().tryAcquire(c.backend().hardLimit())) {
        bindings.bind(app, client, c.id());
        return new RouteDecision.Reserved(
            c, picked.tier(), picked.score(), false, snapshot.version(), new Lease(c.load()));
      }
      // Another connection took the last slot between pick and reserve: pick again.
    }
    return new RouteDecision.Refused(new Selection.AllAtCapacity(app, routes.eligibleCount()));
  }

  private RouteDecision.@Nullable Reserved fromBinding(
      RoutingSnapshot snapshot, AppRoutes routes, String app, InetAddress client, Collection<String> excluded, long now) {
    String boundId = bindings.get(app, client);
    if (boundId == null) {
      return null;
    }
    Candidate c = routes.byId(boundId);
    if (c != null
        && c.backend().healthy()
        && !excluded.contains(boundId)
        && !c.load().isDownHere(now)
        && c.load().tryAcquire(c.backend().hardLimit())) {
      ClientLocation location = locator.locate(client, snapshot.regions());
      int tier = Tier.of(c.backend(), location, snapshot.popRegion());
      double score = tier * 100.0 + (c.backend().weight() == 0 ? 0 : c.loadScore());
      return new RouteDecision.Reserved(c, tier, score, true, snapshot.version(), new Lease(c.load()));
    }
    // Gone, unhealthy, deleted, down here or full: forget it and pick again.
    bindings.unbind(app, client, boundId);
    return null;
  }

  /** The proxied connection to {@code decision}'s backend is established. */
  public void connected(RouteDecision.Reserved decision) {
    decision.candidate().load().recordConnectSuccess();
  }

  /**
   * Connecting to {@code decision}'s backend failed: its slot is released, the client's binding to
   * it dropped, and the failure counted toward passive ejection.
   *
   * @return true if this failure ejected the backend
   */
  /**
   * The backend could not take the connection for now (a device tunnel at its stream limit): the
   * slot is given back and another backend tried, but it counts as no failure toward ejection.
   */
  public void atCapacity(String app, InetAddress client, RouteDecision.Reserved decision) {
    decision.lease().release();
    bindings.unbind(app, client, decision.candidate().id());
  }

  public boolean connectFailed(String app, InetAddress client, RouteDecision.Reserved decision) {
    decision.lease().release();
    bindings.unbind(app, client, decision.candidate().id());
    return decision.candidate().load().recordConnectFailure(
        nanoClock.getAsLong(), passiveHealth.ejectAfterFailures(), passiveHealth.ejectFor().toNanos());
  }

  public RoutingState state() {
    return state;
  }
}
