package io.edgeproxy.replication.protocol;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A write receipt: one committed transaction, named by its origin POP and its number there (the
 * origin's clock reading when it was captured: unique and increasing per origin, like Corrosion's
 * {@code db_version}). A POP has applied it when it holds every transaction of that origin up to
 * it; a change later superseded counts as applied. Written {@code NODE:VERSION}.
 */
public record Receipt(String origin, long txn) {
  public Receipt {
    requireNonNull(origin, "origin");
  }

  @Override
  public String toString() {
    return origin + ":" + Long.toUnsignedString(txn);
  }

  /** The receipt {@code text} names, or empty when it is not {@code NODE:VERSION}. */
  public static Optional<Receipt> parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Receipt(text.substring(0, colon), Long.parseUnsignedLong(text.substring(colon + 1))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
