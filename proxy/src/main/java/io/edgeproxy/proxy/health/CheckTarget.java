package io.edgeproxy.proxy.health;

import io.edgeproxy.core.geo.SocketAddresses;
import io.edgeproxy.core.routing.BackendLoad;
import io.edgeproxy.core.routing.HealthCheck;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One checked backend: its probe schedule, rise/fall counters and totals, and the verdict it sets
 * on the backend's {@link BackendLoad}. At most one probe is in flight; the next starts an interval
 * (with +-10 % jitter) after the previous one started, or at once if that one took longer.
 * Runs on the checker's event loop only, so nothing here needs a lock.
 */
final class CheckTarget {
  private static final Logger logger = LoggerFactory.getLogger(CheckTarget.class);

  /** What is probed and how; a change makes results of a probe still in flight stale. */
  record Definition(InetSocketAddress address, HealthCheck check) {}

  private final String app;
  private final String backendId;
  private final EventLoop loop;
  private final HealthProbe probe;
  private final Consumer<BackendHealth> publish;
  private final RiseFall riseFall = new RiseFall();
  private Definition definition;
  private BackendLoad load;
  private long checksTotal;
  private long failuresTotal;
  private String lastResult = "not checked yet";
  private @Nullable Instant lastCheck;
  private io.netty.util.concurrent.@Nullable ScheduledFuture<?> timer;
  private boolean probing;
  private boolean stopped;

  CheckTarget(String app, String backendId, Definition definition, BackendLoad load, HealthProbe probe,
      EventLoop loop, Consumer<BackendHealth> publish) {
    this.app = app;
    this.backendId = backendId;
    this.definition = definition;
    this.load = load;
    this.probe = probe;
    this.loop = loop;
    this.publish = publish;
  }

  String app() {
    return app;
  }

  /** Starts probing at a random point of the first interval, so checks of many backends spread out. */
  void start() {
    load.setCheckFailing(false);
    publish.accept(view());
    scheduleWithin(definition.check().interval().toMillis());
  }

  /** Applies a new snapshot's view of the backend; a changed address or check restarts the schedule. */
  void update(Definition next, BackendLoad nextLoad) {
    if (nextLoad != load) {
      // The load board handed out a new object for this id: carry the verdict over.
      load = nextLoad;
      load.setCheckFailing(!riseFall.isUp());
    }
    if (next.equals(definition)) {
      return;
    }
    definition = next;
    publish.accept(view());
    if (!probing) {
      cancelTimer();
      scheduleWithin(next.check().interval().toMillis());
    }
  }

  /** Stops probing and clears the verdict: the backend is routed as routing.db says again. */
  void stop(String why) {
    cancel();
    if (!riseFall.isUp()) {
      logger.info("health check: backend {} of app {} at {} is no longer checked ({}); its failed check no longer counts",
          backendId, app, SocketAddresses.format(definition.address()), why);
    }
    load.setCheckFailing(false);
  }

  /** Stops probing and leaves the verdict as it is (the checker is closing). */
  void cancel() {
    stopped = true;
    cancelTimer();
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void scheduleWithin(long millis) {
    schedule(ThreadLocalRandom.current().nextLong(Math.max(1, millis)));
  }

  private void schedule(long delayMillis) {
    if (!stopped) {
      timer = loop.schedule(this::probeNow, delayMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void probeNow() {
    timer = null;
    if (stopped) {
      return;
    }
    probing = true;
    Definition probed = definition;
    long started = System.nanoTime();
    probe.run(probed.address(), probed.check()).addListener(f -> done(probed, started, (ProbeResult) f.getNow()));
  }

  private void done(Definition probed, long startedNanos, @Nullable ProbeResult result) {
    probing = false;
    if (stopped) {
      return;
    }
    if (!probed.equals(definition) || result == null) {
      // Probed the old address or check (or the loop is shutting down): discard, start afresh.
      scheduleWithin(definition.check().interval().toMillis());
      return;
    }
    count(result);
    long interval = definition.check().interval().toMillis();
    long jittered = interval + ThreadLocalRandom.current().nextLong(-interval / 10, interval / 10 + 1);
    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    schedule(Math.max(0, jittered - elapsed));
  }

  private void count(ProbeResult result) {
    boolean passed = result instanceof ProbeResult.Passed;
    checksTotal++;
    if (!passed) {
      failuresTotal++;
    }
    lastResult = result.text();
    lastCheck = Instant.now();
    HealthCheck check = definition.check();
    RiseFall.Transition transition = riseFall.record(passed, check.rise(), check.fall());
    String address = SocketAddresses.format(definition.address());
    switch (transition) {
      case WENT_DOWN -> {
        load.setCheckFailing(true);
        logger.warn("health check: backend {} of app {} at {} is down after {} consecutive failed checks: {}",
            backendId, app, address, riseFall.consecutiveFailures(), lastResult);
      }
      case WENT_UP -> {
        load.setCheckFailing(false);
        logger.info("health check: backend {} of app {} at {} is up again after {} consecutive passed checks: {}",
            backendId, app, address, riseFall.consecutiveSuccesses(), lastResult);
      }
      case NONE -> logger.debug("health check: backend {} of app {} at {}: {}", backendId, app, address, lastResult);
    }
    publish.accept(view());
  }

  BackendHealth view() {
    return new BackendHealth(app, backendId, definition.address(), definition.check().type(), riseFall.isUp(),
        riseFall.consecutiveSuccesses(), riseFall.consecutiveFailures(), lastResult, lastCheck, checksTotal, failuresTotal);
  }
}
