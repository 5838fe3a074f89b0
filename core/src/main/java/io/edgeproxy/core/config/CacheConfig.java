package io.edgeproxy.core.config;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The edge cache of apps in HTTP mode ({@code apps.cache = 1}).
 *
 * @param memoryBytes EDGEPROXY_CACHE_MEMORY_BYTES: the memory tier's bound. Default: 256 MiB
 * @param maxObjectBytes EDGEPROXY_CACHE_MAX_OBJECT_BYTES: the largest response body stored. Default: 8 MiB
 * @param dir EDGEPROXY_CACHE_DIR: the disk tier's directory, or null for memory only (the default)
 * @param maxBytes EDGEPROXY_CACHE_MAX_BYTES: the disk tier's bound. Default: 10 GiB
 */
public record CacheConfig(long memoryBytes, long maxObjectBytes, @Nullable Path dir, long maxBytes) {
  public CacheConfig(long memoryBytes, long maxObjectBytes) {
    this(memoryBytes, maxObjectBytes, null, 10L << 30);
  }

  public static CacheConfig defaults() {
    return new CacheConfig(256L << 20, 8L << 20);
  }

  public CacheConfig withDisk(Path value, long bytes) {
    return new CacheConfig(memoryBytes, maxObjectBytes, value, bytes);
  }
}
