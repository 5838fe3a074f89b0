package io.edgeproxy.core.change;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What one capture of local changes produced on its origin POP: one transaction, numbered by its
 * hybrid clock reading, with the one before it, so a receiver that holds everything of the origin
 * up to {@code previous} and applies this set holds everything up to {@code txn}.
 *
 * @param origin node id of the POP whose writes these are
 * @param previous the origin's transaction before this one (0 for its first)
 * @param txn this transaction's number: the origin's clock reading when it was captured; unique and
 *     increasing per origin, the VERSION of its write receipt
 * @param rows every row the transaction changed, as its state after it
 */
public record ChangeSet(String origin, long previous, long txn, List<RowChange> rows) {
  public ChangeSet {
    requireNonNull(origin, "origin");
    rows = List.copyOf(rows);
  }
}
