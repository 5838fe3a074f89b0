package io.edgeproxy.core.change;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The state of one row of a replicated table at one version: its columns, or a tombstone when the
 * row was deleted. Changes are whole-row states, not deltas, so applying the newest one is enough
 * (last writer wins per row) and applying one twice changes nothing.
 *
 * @param table replicated table name
 * @param key the row's primary key, as text
 * @param version when and where the change was made
 * @param columns column values as SQLite holds them (Long, Double, String, byte[] or null);
 *     empty for a tombstone
 * @param deleted true for a tombstone
 */
public record RowChange(String table, String key, Version version, Map<String, @Nullable Object> columns, boolean deleted) {
  public RowChange {
    requireNonNull(table, "table");
    requireNonNull(key, "key");
    requireNonNull(version, "version");
    columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
  }

  public static RowChange tombstone(String table, String key, Version version) {
    return new RowChange(table, key, version, Map.of(), true);
  }
}
