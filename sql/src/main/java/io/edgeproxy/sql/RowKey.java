package io.edgeproxy.sql;

import static java.util.Objects.requireNonNull;

/** A replicated row's identity: its table and its key as text. */
public record RowKey(String table, String key) {
  public RowKey {
    requireNonNull(table, "table");
    requireNonNull(key, "key");
  }
}
