package io.edgeproxy.core.change;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * One column of a replicated row: its value and the version of the write that set it. Every
 * column merges on its own (see {@link Merge}), so concurrent edits of different columns of one
 * row both survive.
 *
 * @param value as SQLite holds it: Long, Double, String, byte[] or null
 * @param version when and where the value was written
 */
public record Cell(@Nullable Object value, Version version) {
  public Cell {
    requireNonNull(version, "version");
  }
}
