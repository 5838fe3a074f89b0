package io.edgeproxy.sql;

import org.jspecify.annotations.Nullable;

/**
 * A {@code backends} row exactly as SQLite stored it: any column may hold NULL or a value of any
 * type, because rows can be written by hand with {@code sqlite3}. {@link RowValidator} turns it
 * into a backend or a list of problems.
 */
record BackendRow(
    long rowid,
    @Nullable Object id,
    @Nullable Object app,
    @Nullable Object region,
    @Nullable Object country,
    @Nullable Object wgIp,
    @Nullable Object port,
    @Nullable Object healthy,
    @Nullable Object weight,
    @Nullable Object softLimit,
    @Nullable Object hardLimit,
    @Nullable Object deleted) {

  /** How a warning names this row: its id if it has a usable one, and its rowid. */
  String describe() {
    return (id instanceof String s && !s.isBlank() ? "id '" + s + "'" : "id " + (id == null ? "NULL" : "'" + id + "'"))
        + " (rowid " + rowid + ")";
  }
}
