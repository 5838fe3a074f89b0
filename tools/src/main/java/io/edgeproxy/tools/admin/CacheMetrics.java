package io.edgeproxy.tools.admin;

import io.edgeproxy.cache.HttpCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * The edge cache's meters: per app, requests by result ({@code edge_cache_requests_total{result=
 * hit|miss|bypass}}), stale answers, collapsed waits, entries stored, purged and evicted, and bytes
 * served from the cache by tier; for the POP, entries and bytes held in memory and on disk, and
 * the disk's failed writes. An app's meters appear with its
 * first request; every scrape reads one snapshot of the counters.
 */
final class CacheMetrics {
  private final MeterRegistry registry;
  private final Tags pop;
  private final Supplier<HttpCache.@Nullable Stats> source;
  private final Set<String> registered = new HashSet<>();
  private volatile HttpCache.@Nullable Stats last;

  private final String prefix;

  /** The POP's own cache: per-app meters named {@code edge.cache.*}, and the tiers' gauges. */
  CacheMetrics(MeterRegistry registry, Tags pop, Supplier<HttpCache.@Nullable Stats> source) {
    this(registry, pop, source, "edge.cache");
    Gauge.builder("edge.cache.entries", this, m -> m.last == null ? 0 : m.last.keys()).tags(pop)
        .description("URLs the edge cache holds (each with its Vary variants)").register(registry);
    Gauge.builder("edge.cache.memory.bytes", this, m -> m.last == null ? 0 : m.last.bytes()).tags(pop)
        .description("Bytes the edge cache's memory tier holds").register(registry);
    Gauge.builder("edge.cache.disk.entries", this, m -> m.disk() == null ? 0 : m.disk().keys()).tags(pop)
        .description("URLs the edge cache's disk tier holds (EDGEPROXY_CACHE_DIR)").register(registry);
    Gauge.builder("edge.cache.disk.bytes", this, m -> m.disk() == null ? 0 : m.disk().bytes()).tags(pop)
        .description("Bytes of files the edge cache's disk tier holds").register(registry);
    FunctionCounter.builder("edge.cache.disk.errors", this, m -> m.disk() == null ? 0 : m.disk().errors()).tags(pop)
        .description("Disk tier writes that failed (a full disk, most often): the response was served, not stored")
        .register(registry);
  }

  /**
   * Per-app meters named {@code prefix.*} only: {@code edge.cache.shield} for what other POPs asked
   * this one as their regional shield (the same tiers, counted apart).
   */
  CacheMetrics(MeterRegistry registry, Tags pop, Supplier<HttpCache.@Nullable Stats> source, String prefix) {
    this.registry = registry;
    this.pop = pop;
    this.source = source;
    this.prefix = prefix;
  }

  private HttpCache.@Nullable DiskStats disk() {
    HttpCache.Stats s = last;
    return s == null ? null : s.disk();
  }

  /** Reads the counters once and registers the meters of apps seen for the first time. */
  void refresh() {
    HttpCache.Stats stats = source.get();
    last = stats;
    if (stats == null) {
      return;
    }
    for (HttpCache.AppStats a : stats.apps()) {
      if (registered.add(a.app())) {
        register(a.app());
      }
    }
  }

  private void register(String app) {
    Tags tags = pop.and("app", app);
    String requests = "Requests of apps with the edge cache on: answered from it (hit), sent to the origin (miss), or not"
        + " answerable from it (bypass: method, range)";
    counter(prefix + ".requests", tags.and("result", "hit"), requests, app, HttpCache.AppStats::hits);
    counter(prefix + ".requests", tags.and("result", "miss"), requests, app, HttpCache.AppStats::misses);
    counter(prefix + ".requests", tags.and("result", "bypass"), requests, app, HttpCache.AppStats::bypassed);
    counter(prefix + ".stale", tags, "Stale answers (stale-while-revalidate, stale-if-error)", app, HttpCache.AppStats::stale);
    counter(prefix + ".collapsed", tags, "Requests that waited for the same request at the origin", app,
        HttpCache.AppStats::collapsed);
    counter(prefix + ".stored", tags, "Responses stored", app, HttpCache.AppStats::stored);
    counter(prefix + ".purged", tags, "Entries dropped by purges", app, HttpCache.AppStats::purged);
    counter(prefix + ".evicted", tags, "Entries pushed out by the memory or disk bound", app, HttpCache.AppStats::evicted);
    String bytes = "Body bytes served from the edge cache, by tier";
    counter(prefix + ".served.bytes", tags.and("tier", "memory"), bytes, app, a -> a.bytesFromCache() - a.bytesFromDisk());
    counter(prefix + ".served.bytes", tags.and("tier", "disk"), bytes, app, HttpCache.AppStats::bytesFromDisk);
  }

  private void counter(String name, Tags tags, String description, String app, ToDoubleFunction<HttpCache.AppStats> value) {
    FunctionCounter.builder(name, this, m -> m.last == null ? 0 : value.applyAsDouble(m.last.of(app))).tags(tags)
        .description(description).register(registry);
  }
}
