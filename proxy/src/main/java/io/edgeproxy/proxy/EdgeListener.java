package io.edgeproxy.proxy;

import io.edgeproxy.cache.HttpCache;
import io.edgeproxy.core.config.EdgeTlsConfig;
import io.edgeproxy.core.edge.HostRouter;
import io.edgeproxy.core.routing.RoutingSnapshot;

/**
 * What every connection of the HTTPS edge listener shares: the proxy's listener parts (router,
 * transport, settings), the edge's settings, its certificates and counters, and the host router
 * of the current routing snapshot (rebuilt when the snapshot changes).
 */
final class EdgeListener {
  private final ProxyListener proxy;
  private final EdgeTlsConfig config;
  private final EdgeCertificates certificates;
  private final EdgeStats stats;
  private final HttpCache cache;
  private volatile Routes routes;
  private @org.jspecify.annotations.Nullable HttpSite httpSite;
  private java.util.function.Supplier<@org.jspecify.annotations.Nullable TunnelFallback> tunnelFallback = () -> null;
  private java.util.function.Supplier<CacheShields> shields = () -> CacheShields.NONE;
  private volatile @org.jspecify.annotations.Nullable ShieldView shieldView;

  private record Routes(RoutingSnapshot snapshot, HostRouter router, java.util.List<java.util.concurrent.ConcurrentHashMap<String, Object>> memos) {}

  /** What {@link #memo} remembers, each by the Host value it was computed from. */
  enum Memo {
    HOST, HTTPS_TARGET, PLAIN_TARGET
  }

  /** Entries {@link #memo} keeps per snapshot at most (distinct Host values seen). */
  private static final int MEMO_LIMIT = 4096;

  EdgeListener(ProxyListener proxy, EdgeTlsConfig config, EdgeCertificates certificates, EdgeStats stats) {
    this.proxy = proxy;
    this.config = config;
    this.certificates = certificates;
    this.stats = stats;
    try {
      this.cache = HttpCache.open("edgeproxy", config.cache(), System::currentTimeMillis);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot open the edge cache's disk tier (EDGEPROXY_CACHE_DIR) in "
          + config.cache().dir() + ": " + e.getMessage(), e);
    }
    // A purge row (made here, or replicated from any POP) drops what it selects once it is in a snapshot.
    proxy.state().onPublish(snapshot -> cache.applyPurges(snapshot.data().edge().purges()));
    cache.applyPurges(proxy.state().current().data().edge().purges());
  }

  /** The edge cache of the apps that turn it on (HTTPS and plain HTTP listeners share it). */
  HttpCache cache() {
    return cache;
  }

  ProxyListener proxy() {
    return proxy;
  }

  EdgeTlsConfig config() {
    return config;
  }

  EdgeCertificates certificates() {
    return certificates;
  }

  EdgeStats stats() {
    return stats;
  }

  /** True when {@code app} is in HTTP mode in the snapshot in force. */
  boolean isHttpMode(String app) {
    return proxy.state().current().settingsOf(app).protocol() == io.edgeproxy.core.routing.AppSettings.Protocol.HTTP;
  }

  /** HTTP mode on the HTTPS listener; set once at start, before the listener binds. */
  HttpSite httpSite() {
    return httpSite;
  }

  void httpSite(HttpSite site) {
    this.httpSite = site;
  }

  /** Where device tunnels' TCP connections go; null while this POP serves none. */
  @org.jspecify.annotations.Nullable TunnelFallback tunnelFallback() {
    return tunnelFallback.get();
  }

  void tunnelFallback(java.util.function.Supplier<@org.jspecify.annotations.Nullable TunnelFallback> value) {
    this.tunnelFallback = value;
  }

  /** The cache as other POPs' regional shield, named {@code edgeproxy-shield/<this POP>} in Cache-Status. */
  HttpCache shieldCache() {
    ShieldView v = shieldView;
    CacheShields now = shields();
    if (v == null || v.named != now) { // named once the shields are known (replication starts after the edge)
      v = new ShieldView(now, cache.asShield(cache.name() + "-shield/" + now.self()));
      shieldView = v;
    }
    return v.cache;
  }

  /** The shield view of the cache and the shields it was named for. */
  private record ShieldView(CacheShields named, HttpCache cache) {}

  /** The regional shield of the edge cache ({@link CacheShields#NONE} without replication). */
  CacheShields shields() {
    return shields.get();
  }

  void shields(java.util.function.Supplier<CacheShields> value) {
    this.shields = value;
  }

  /**
   * {@code compute(key)}, remembered until the routing snapshot changes (what a Host value routes
   * to is asked once per request and changes only with the snapshot). Bounded: past the limit,
   * values are computed every time.
   */
  @SuppressWarnings("unchecked")
  <T> T memo(Memo kind, String key, java.util.function.Function<String, T> compute) {
    hostRouter();
    java.util.concurrent.ConcurrentHashMap<String, Object> memo = routes.memos().get(kind.ordinal());
    Object known = memo.get(key);
    if (known != null) {
      return (T) known;
    }
    T value = compute.apply(key);
    if (memo.size() < MEMO_LIMIT) {
      memo.put(key, value);
    }
    return value;
  }

  /** The host router of the snapshot in force. */
  HostRouter hostRouter() {
    RoutingSnapshot current = proxy.state().current();
    Routes r = routes;
    if (r == null || r.snapshot() != current) {
      r = new Routes(current, new HostRouter(current.data().edge(), current.namedApps(), config.domain(), config.defaultApp()),
          java.util.Arrays.stream(Memo.values()).map(m -> new java.util.concurrent.ConcurrentHashMap<String, Object>()).toList());
      routes = r;
    }
    return r.router();
  }
}
