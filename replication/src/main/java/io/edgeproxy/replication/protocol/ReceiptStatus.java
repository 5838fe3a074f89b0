package io.edgeproxy.replication.protocol;

import java.util.List;

/**
 * Which POPs have applied a {@link Receipt}, as this POP knows: itself from its own store, others
 * from what they last told it they hold (every member ever seen counts, down ones included).
 *
 * @param applied POPs that hold the transaction and everything of its origin before it
 * @param missing POPs that do not, or have not said so yet
 */
public record ReceiptStatus(Receipt receipt, List<String> applied, List<String> missing) {
  public ReceiptStatus {
    applied = List.copyOf(applied);
    missing = List.copyOf(missing);
  }
}
