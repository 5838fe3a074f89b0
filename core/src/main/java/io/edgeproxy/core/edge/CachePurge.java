package io.edgeproxy.core.edge;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A row of routing.db's {@code cache_purges}: drop what the edge cache holds of {@code app}, all of
 * it or what one path, path prefix or tag selects. Replicated like every row, so a purge made on
 * one POP reaches every POP, including one that was cut off when it was made.
 *
 * @param id unique per purge (each POP applies a purge once)
 * @param value the path (with its query, if any), the prefix or the tag; empty for {@link Kind#ALL}
 * @param createdMs when it was made, milliseconds since 1970 (rows are removed a day later)
 */
public record CachePurge(String id, String app, Kind kind, String value, long createdMs) {
  /** What a purge selects. */
  public enum Kind {
    ALL, PATH, PREFIX, TAG;

    /** As routing.db spells it. */
    public String column() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static @Nullable Kind of(String column) {
      for (Kind k : values()) {
        if (k.column().equals(column)) {
          return k;
        }
      }
      return null;
    }
  }

  public CachePurge {
    requireNonNull(id, "id");
    requireNonNull(app, "app");
    requireNonNull(kind, "kind");
    requireNonNull(value, "value");
  }
}
