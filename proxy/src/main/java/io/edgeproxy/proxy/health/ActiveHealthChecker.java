package io.edgeproxy.proxy.health;

import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.routing.AppRoutes;
import io.edgeproxy.core.routing.Candidate;
import io.edgeproxy.core.routing.HealthCheck;
import io.edgeproxy.core.routing.RoutingSnapshot;
import io.edgeproxy.core.routing.RoutingState;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This POP's active health checks. Follows the routing snapshots: every backend marked healthy in
 * routing.db of every app with a {@link HealthCheck} is probed from here every interval; a backend
 * failing {@code fall} checks in a row is taken out of this POP's routing
 * ({@code BackendLoad.setCheckFailing}) until it passes {@code rise} in a row. A backend that leaves
 * routing.db, is marked unhealthy there, or whose app loses its check is no longer probed and its
 * verdict is cleared. Nothing is written to routing.db, so verdicts never replicate.
 *
 * <p>All probing runs on one NIO event loop thread of its own ({@code health-check}), off the
 * proxy's I/O threads; a probe is a non-blocking Netty connect. Snapshot changes are picked up on
 * that thread after each {@code RoutingState.publish}.
 */
public final class ActiveHealthChecker implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(ActiveHealthChecker.class);

  private final RoutingState state;
  private final EventLoopGroup group;
  private final EventLoop loop;
  private final HealthProbe probe;
  private final AtomicBoolean syncPending = new AtomicBoolean();
  private final ConcurrentHashMap<String, BackendHealth> view = new ConcurrentHashMap<>();
  /** Backend id to target; event loop only. */
  private final Map<String, CheckTarget> targets = new HashMap<>();
  /** The checks in force per app, to log changes once; event loop only. */
  private Map<String, HealthCheck> appChecks = Map.of();
  private volatile boolean closed;

  private ActiveHealthChecker(RoutingState state) {
    this.state = state;
    this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("health-check", true), NioIoHandler.newFactory());
    this.loop = group.next();
    this.probe = new HealthProbe(loop);
  }

  /**
   * Starts checking what {@code state} holds now and follows every later publish. Returns at once;
   * the first probes run within one interval.
   */
  public static ActiveHealthChecker start(RoutingState state) {
    ActiveHealthChecker checker = new ActiveHealthChecker(requireNonNull(state, "state"));
    state.onPublish(snapshot -> checker.requestSync());
    checker.requestSync();
    return checker;
  }

  /** Coalesces publishes: one pending sync reads whatever snapshot is current when it runs. */
  private void requestSync() {
    if (closed || !syncPending.compareAndSet(false, true)) {
      return;
    }
    try {
      loop.execute(() -> {
        syncPending.set(false);
        sync(state.current());
      });
    } catch (RejectedExecutionException e) {
      syncPending.set(false); // closing
    }
  }

  /** Event loop only. */
  private void sync(RoutingSnapshot snapshot) {
    if (closed) {
      return;
    }
    Map<String, HealthCheck> checks = new HashMap<>();
    Map<String, Candidate> wanted = new HashMap<>();
    for (String app : snapshot.appNames()) {
      HealthCheck check = snapshot.settingsOf(app).healthCheck();
      AppRoutes routes = snapshot.routesFor(app);
      if (check == null || routes == null) {
        continue;
      }
      checks.put(app, check);
      for (Candidate c : routes.all()) {
        if (c.backend().healthy() && !c.backend().isTunnel()) { // a tunnel's health is its connection
          wanted.put(c.id(), c);
        }
      }
    }
    logCheckChanges(checks);
    for (Iterator<Map.Entry<String, CheckTarget>> it = targets.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, CheckTarget> e = it.next();
      Candidate c = wanted.get(e.getKey());
      if (c == null || !c.backend().app().equals(e.getValue().app())) {
        e.getValue().stop(whyNotChecked(snapshot, e.getKey(), e.getValue().app()));
        view.remove(e.getKey());
        it.remove();
      }
    }
    for (Candidate c : wanted.values()) {
      CheckTarget.Definition definition =
          new CheckTarget.Definition(c.backend().socketAddress(), checks.get(c.backend().app()));
      CheckTarget target = targets.get(c.id());
      if (target == null) {
        target = new CheckTarget(c.backend().app(), c.id(), definition, c.load(), probe, loop, h -> view.put(h.backendId(), h));
        targets.put(c.id(), target);
        target.start();
      } else {
        target.update(definition, c.load());
      }
    }
  }

  private static String whyNotChecked(RoutingSnapshot snapshot, String backendId, String app) {
    AppRoutes routes = snapshot.routesFor(app);
    Candidate c = routes == null ? null : routes.byId(backendId);
    if (c == null) {
      return "no longer a backend of app " + app + " in routing.db";
    }
    if (!c.backend().healthy()) {
      return "marked unhealthy in routing.db";
    }
    return "app " + app + " has no health check any more";
  }

  private void logCheckChanges(Map<String, HealthCheck> checks) {
    checks.forEach((app, check) -> {
      if (!check.equals(appChecks.get(app))) {
        logger.info("health checks for app {}: {} every {} ms, timeout {} ms, rise {}, fall {}", app,
            check.type() == HealthCheck.Type.HTTP ? "HTTP GET " + check.path() : "TCP connect",
            check.interval().toMillis(), check.timeout().toMillis(), check.rise(), check.fall());
      }
    });
    appChecks.keySet().stream().filter(app -> !checks.containsKey(app))
        .forEach(app -> logger.info("health checks for app {}: none any more", app));
    appChecks = Map.copyOf(checks);
  }

  /** The checked backends as of now, by app then id. Any thread. */
  public List<BackendHealth> backends() {
    List<BackendHealth> out = new ArrayList<>(view.values());
    out.sort(Comparator.comparing(BackendHealth::app).thenComparing(BackendHealth::backendId));
    return out;
  }

  /** The check state of {@code backendId}, or null when this POP does not check it. Any thread. */
  public @Nullable BackendHealth healthOf(String backendId) {
    return view.get(backendId);
  }

  /**
   * Stops probing and the event loop, waiting up to a few seconds. Verdicts in force stay as they
   * are (the proxy may still be draining); the routing state's listener becomes a no-op.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      loop.submit(() -> targets.values().forEach(CheckTarget::cancel)).awaitUninterruptibly(2_000);
    } catch (RejectedExecutionException e) {
      // already shutting down
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
  }
}
