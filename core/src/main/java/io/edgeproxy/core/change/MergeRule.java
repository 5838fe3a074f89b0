package io.edgeproxy.core.change;

/** How two values of one column, written concurrently, are reconciled. */
public enum MergeRule {
  /** The later write wins (by version). */
  LAST_WRITER,
  /**
   * The larger value wins, whoever wrote it last (a max register): for facts that only move
   * forward, such as the end of a lease, so no POP can move them back by writing later.
   */
  MAX
}
