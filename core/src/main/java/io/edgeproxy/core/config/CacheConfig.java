package io.edgeproxy.core.config;

/**
 * The edge cache of apps in HTTP mode ({@code apps.cache = 1}).
 *
 * @param memoryBytes EDGEPROXY_CACHE_MEMORY_BYTES: the memory tier's bound. Default: 256 MiB
 * @param maxObjectBytes EDGEPROXY_CACHE_MAX_OBJECT_BYTES: the largest response body stored. Default: 8 MiB
 */
public record CacheConfig(long memoryBytes, long maxObjectBytes) {
  public static CacheConfig defaults() {
    return new CacheConfig(256L << 20, 8L << 20);
  }
}
