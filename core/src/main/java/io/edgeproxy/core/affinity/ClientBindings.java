package io.edgeproxy.core.affinity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.InetAddress;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Client affinity: (app, client IP) to backend id, with a sliding TTL (every use extends it, as in
 * the original) and a size bound (the original's map was unbounded). Thread-safe.
 */
public final class ClientBindings {
  private final Cache<Key, String> cache;

  /**
   * @param ttl idle time after which a binding is forgotten (EDGEPROXY_BINDING_TTL_SECS)
   * @param maxBindings size bound; least recently used bindings go first beyond it
   */
  public ClientBindings(Duration ttl, long maxBindings) {
    // Maintenance runs on the calling (I/O) thread, amortized, instead of hopping to the common pool.
    this.cache = Caffeine.newBuilder().expireAfterAccess(ttl).maximumSize(maxBindings).executor(Runnable::run).build();
  }

  /** The bound backend id, refreshing the binding's TTL; null if none. */
  public @Nullable String get(String app, InetAddress client) {
    return cache.getIfPresent(new Key(app, client));
  }

  public void bind(String app, InetAddress client, String backendId) {
    cache.put(new Key(app, client), backendId);
  }

  /** Drops the binding if it still points at {@code backendId}. */
  public void unbind(String app, InetAddress client, String backendId) {
    cache.asMap().remove(new Key(app, client), backendId);
  }

  /** Removes expired bindings now (EDGEPROXY_BINDING_GC_INTERVAL_SECS drives this). */
  public void cleanUp() {
    cache.cleanUp();
  }

  public long size() {
    return cache.estimatedSize();
  }

  private record Key(String app, InetAddress client) {}
}
