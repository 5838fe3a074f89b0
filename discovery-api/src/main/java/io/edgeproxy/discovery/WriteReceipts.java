package io.edgeproxy.discovery;

import java.util.List;
import java.util.Optional;

/**
 * Write receipts as the API needs them (see the replication module's Receipt): the receipt of
 * what was just written, and which POPs have applied a receipt. Without replication there are none.
 */
public interface WriteReceipts {
  /**
   * Versions what this POP just committed and names the transaction that holds it; empty when
   * replication is off. Blocks briefly (one routing.db transaction).
   */
  Optional<String> afterWrite();

  /** Which POPs have applied {@code receipt}; empty when replication is off. */
  Optional<View> status(String receipt);

  /**
   * A receipt's state across the cluster.
   *
   * @param applied POPs that hold the transaction and everything of its origin before it
   * @param missing POPs that do not, or have not said so yet (down ones included)
   */
  record View(String receipt, List<String> applied, List<String> missing) {
    public boolean allApplied() {
      return missing.isEmpty();
    }
  }

  /** No replication: no receipts. */
  WriteReceipts NONE = new WriteReceipts() {
    @Override
    public Optional<String> afterWrite() {
      return Optional.empty();
    }

    @Override
    public Optional<View> status(String receipt) {
      return Optional.empty();
    }
  };
}
