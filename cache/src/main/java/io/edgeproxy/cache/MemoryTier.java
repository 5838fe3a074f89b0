package io.edgeproxy.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory tier: entries by primary key (app, host, target), each key holding up to
 * {@link #MAX_VARIANTS} variants (RFC 9111 §4.1), bounded by total bytes (Caffeine's weighted
 * W-TinyLFU: a one-off download does not push out what is asked for all the time).
 */
final class MemoryTier {
  static final int MAX_VARIANTS = 16;
  private final Cache<String, List<CacheEntry>> entries;

  /** @param evicted told the key of every entry the bound pushed out */
  MemoryTier(long maxBytes, java.util.function.Consumer<String> evicted) {
    this.entries = Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher((String k, List<CacheEntry> v) -> (int) Math.min(Integer.MAX_VALUE, weight(k, v)))
        .removalListener((k, v, cause) -> {
          if (cause.wasEvicted() && k != null) {
            evicted.accept(k);
          }
        })
        .executor(Runnable::run)
        .build();
  }

  private static long weight(String key, List<CacheEntry> variants) {
    long w = key.length();
    for (CacheEntry e : variants) {
      w += e.weight();
    }
    return w;
  }

  /** The variant of {@code key} that {@code request} selects, or null. */
  @Nullable CacheEntry get(String key, HttpHeaders request) {
    List<CacheEntry> variants = entries.getIfPresent(key);
    if (variants == null) {
      return null;
    }
    for (CacheEntry e : variants) {
      if (e.matches(request)) {
        return e;
      }
    }
    return null;
  }

  /**
   * Stores {@code entry}, replacing the variant with the same Vary values (newest first); when
   * {@code unlessNewer}, not over a same variant received later (a copy read from disk must not
   * undo a refresh).
   */
  void put(String key, CacheEntry entry, boolean unlessNewer) {
    entries.asMap().compute(key, (k, old) -> {
      if (unlessNewer && old != null) {
        for (CacheEntry e : old) {
          if (e.sameVariant(entry) && e.freshness().receivedMs() > entry.freshness().receivedMs()) {
            return old;
          }
        }
      }
      List<CacheEntry> next = new ArrayList<>(old == null ? 1 : Math.min(old.size() + 1, MAX_VARIANTS));
      next.add(entry);
      if (old != null) {
        for (CacheEntry e : old) {
          if (next.size() < MAX_VARIANTS && !e.sameVariant(entry)) {
            next.add(e);
          }
        }
      }
      return List.copyOf(next);
    });
  }

  boolean has(String key) {
    return entries.getIfPresent(key) != null;
  }

  /** Drops the variant of {@code key} that has {@code like}'s Vary values. */
  void removeVariant(String key, CacheEntry like) {
    entries.asMap().computeIfPresent(key, (k, variants) -> {
      List<CacheEntry> kept = new ArrayList<>(variants.size());
      for (CacheEntry e : variants) {
        if (!e.sameVariant(like)) {
          kept.add(e);
        }
      }
      return kept.isEmpty() ? null : List.copyOf(kept);
    });
  }

  /** Drops every variant of {@code key}; true if there was one. */
  boolean remove(String key) {
    return entries.asMap().remove(key) != null;
  }

  /** Drops every variant {@code test} accepts (given its key); how many. */
  int removeIf(java.util.function.BiPredicate<String, CacheEntry> test) {
    int[] n = {0};
    for (String key : List.copyOf(entries.asMap().keySet())) {
      entries.asMap().computeIfPresent(key, (k, variants) -> {
        List<CacheEntry> kept = new ArrayList<>(variants.size());
        for (CacheEntry e : variants) {
          if (test.test(k, e)) {
            n[0]++;
          } else {
            kept.add(e);
          }
        }
        return kept.isEmpty() ? null : List.copyOf(kept);
      });
    }
    return n[0];
  }

  long keys() {
    return entries.estimatedSize();
  }

  long bytes() {
    return entries.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
  }

  void cleanUp() {
    entries.cleanUp();
  }
}
