package io.edgeproxy.tools.admin;

import io.edgeproxy.proxy.HttpObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Requests of apps in HTTP mode as a latency histogram per app and status class
 * ({@code edge_http_requests_seconds}, Prometheus buckets from 1 ms to 10 s). Timers are made once
 * per (app, class) and kept; recording is a few lock-free additions. Requests finished before the
 * metrics are bound to their registry are not counted.
 */
public final class HttpRequestMetrics implements HttpObserver {
  private static final Duration[] BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};
  private static final String[] CLASSES = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};

  private final String region;
  private final ConcurrentHashMap<String, Timer[]> timers = new ConcurrentHashMap<>();
  private volatile @Nullable MeterRegistry registry;

  public HttpRequestMetrics(String region) {
    this.region = region;
  }

  /** Starts counting into {@code target}. */
  void bindTo(MeterRegistry target) {
    registry = target;
  }

  @Override
  public void completed(Request request) {
    MeterRegistry target = registry;
    if (target == null) {
      return;
    }
    int statusClass = request.status() >= 100 && request.status() < 600 ? request.status() / 100 : 0;
    String app = request.app().isEmpty() ? "-" : request.app();
    Timer[] byClass = timers.computeIfAbsent(app, a -> new Timer[CLASSES.length]);
    Timer timer = byClass[statusClass];
    if (timer == null) {
      timer = Timer.builder("edge.http.requests").description("Requests of apps in HTTP mode, by app and status class")
          .tags("region", region, "app", app, "status", CLASSES[statusClass]).serviceLevelObjectives(BUCKETS)
          .register(target);
      byClass[statusClass] = timer;
    }
    timer.record(request.nanos(), TimeUnit.NANOSECONDS);
  }
}
