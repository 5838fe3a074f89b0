package io.edgeproxy.cache;

import io.edgeproxy.core.edge.CachePurge;

/**
 * What a purge selects, by entry key ({@code app\nhost\ntarget}) and stored fields: everything of
 * the app; a path (the exact target, or every query of the path when the purge has none); a path
 * prefix; or a tag named by the response's {@code Surrogate-Key} or {@code Cache-Tag} (space- or
 * comma-separated).
 */
final class Purges {
  private Purges() {}

  static boolean selects(CachePurge purge, String key, CacheEntry entry) {
    int first = key.indexOf('\n');
    int second = key.indexOf('\n', first + 1);
    if (first < 0 || second < 0 || !key.substring(0, first).equals(purge.app())) {
      return false;
    }
    String target = key.substring(second + 1);
    int query = target.indexOf('?');
    String path = query < 0 ? target : target.substring(0, query);
    return switch (purge.kind()) {
      case ALL -> true;
      case PATH -> target.equals(purge.value()) || (purge.value().indexOf('?') < 0 && path.equals(purge.value()));
      case PREFIX -> path.startsWith(purge.value());
      case TAG -> tagged(entry, purge.value());
    };
  }

  private static boolean tagged(CacheEntry entry, String tag) {
    for (String field : new String[] {"surrogate-key", "cache-tag"}) {
      for (String line : entry.headers().getAll(field)) {
        for (String t : line.split("[\\s,]+")) {
          if (t.equals(tag)) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
