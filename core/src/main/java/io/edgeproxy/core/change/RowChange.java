package io.edgeproxy.core.change;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The replicated state of one row: whether it exists (its causal length), and every column of its
 * current life with the version that wrote it. Changes travel as whole states, not deltas, so
 * applying one twice, or an older one after a newer, changes nothing (see {@link Merge}).
 *
 * <p>Causal length (cr-sqlite's {@code cl}): 1 when the row is first inserted, +1 on every delete
 * and every re-insert, so an odd length means the row exists. A delete therefore beats every
 * concurrent update of the life it ended, and a later re-insert beats the delete.
 *
 * @param table replicated table name
 * @param key the row's primary key, as text
 * @param cl causal length; odd: the row exists, even: deleted
 * @param version the write that set this causal length (the insert or the delete)
 * @param cells the columns of the current life by name; empty for a deleted row
 */
public record RowChange(String table, String key, long cl, Version version, Map<String, Cell> cells) {
  public RowChange {
    requireNonNull(table, "table");
    requireNonNull(key, "key");
    requireNonNull(version, "version");
    if (cl < 1) {
      throw new IllegalArgumentException("cl: " + cl + " (expected: >= 1)");
    }
    cells = Collections.unmodifiableMap(new LinkedHashMap<>(cells));
  }

  public static RowChange tombstone(String table, String key, long cl, Version version) {
    return new RowChange(table, key, cl, version, Map.of());
  }

  public boolean exists() {
    return (cl & 1) == 1;
  }

  /** The newest version among the existence change and every cell. */
  public Version newest() {
    Version newest = version;
    for (Cell cell : cells.values()) {
      if (cell.version().isNewerThan(newest)) {
        newest = cell.version();
      }
    }
    return newest;
  }
}
