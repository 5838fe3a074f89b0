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
    return selects(purge, key, tagsOf(entry.headers()));
  }

  /** Does {@code purge} select the response stored under {@code key} with {@code tags}? */
  static boolean selects(CachePurge purge, String key, java.util.List<String> tags) {
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
      case TAG -> tags.contains(purge.value());
    };
  }

  /** The tags a response's {@code Surrogate-Key} and {@code Cache-Tag} fields give it (usually none). */
  static java.util.List<String> tagsOf(io.netty.handler.codec.http.HttpHeaders fields) {
    java.util.List<String> tags = new java.util.ArrayList<>(0);
    for (String field : new String[] {"surrogate-key", "cache-tag"}) {
      for (String line : fields.getAll(field)) {
        for (String t : line.split("[\\s,]+")) {
          if (!t.isEmpty()) {
            tags.add(t);
          }
        }
      }
    }
    return tags.isEmpty() ? java.util.List.of() : java.util.List.copyOf(tags);
  }
}
