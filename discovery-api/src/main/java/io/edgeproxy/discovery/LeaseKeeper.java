package io.edgeproxy.discovery;

import io.edgeproxy.sql.Registrations;
import io.edgeproxy.sql.RoutingDbException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expires leases on this POP: a registration whose heartbeats stopped is marked unhealthy when its
 * TTL runs out and deleted {@code deregisterAfter} later. Leases live in routing.db and replicate,
 * so every POP runs this; the POP that accepted a lease acts at once and the others only a grace
 * later (one TTL, at most 10 s), which keeps one writer per expiry while that POP is up and lets
 * any other take over when it is gone.
 */
final class LeaseKeeper implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(LeaseKeeper.class);

  private final ApiContext context;
  private final Duration ownerGrace;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "lease-keeper");
    t.setDaemon(true);
    return t;
  });

  LeaseKeeper(ApiContext context) {
    this.context = context;
    Duration ttl = context.config().heartbeatTtl();
    this.ownerGrace = ttl.compareTo(Duration.ofSeconds(10)) < 0 ? ttl : Duration.ofSeconds(10);
  }

  LeaseKeeper start() {
    long every = Math.max(100, Math.min(1000, context.config().heartbeatTtl().toMillis() / 4));
    timer.scheduleWithFixedDelay(this::expireOnce, every, every, TimeUnit.MILLISECONDS);
    return this;
  }

  void expireOnce() {
    try {
      Registrations.Expiry expiry = context.registrations().expire(System.currentTimeMillis(), context.self(), ownerGrace,
          context.config().deregisterAfter());
      if (expiry.markedUnhealthy() > 0 || expiry.deregistered() > 0) {
        logger.info("leases: {} backends marked unhealthy (no heartbeat within the TTL), {} deregistered",
            expiry.markedUnhealthy(), expiry.deregistered());
        context.reloadAll().run();
      }
    } catch (RoutingDbException e) {
      logger.warn("lease expiry failed, retrying: {}", e.getMessage());
    } catch (RuntimeException e) {
      logger.warn("lease expiry failed, retrying", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
