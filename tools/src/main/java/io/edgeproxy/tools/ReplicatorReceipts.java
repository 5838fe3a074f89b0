package io.edgeproxy.tools;

import io.edgeproxy.discovery.WriteReceipts;
import io.edgeproxy.replication.Replicator;
import io.edgeproxy.replication.protocol.Receipt;
import io.edgeproxy.replication.protocol.ReceiptStatus;
import java.util.Optional;

/** Write receipts from replication, for the discovery API and the admin endpoint. */
final class ReplicatorReceipts implements WriteReceipts {
  private final Replicator replicator;

  ReplicatorReceipts(Replicator replicator) {
    this.replicator = replicator;
  }

  @Override
  public Optional<String> afterWrite() {
    Receipt receipt = replicator.flushLocalChanges();
    return receipt == null ? Optional.empty() : Optional.of(receipt.toString());
  }

  @Override
  public Optional<View> status(String receipt) {
    return Receipt.parse(receipt).map(r -> {
      ReceiptStatus status = replicator.receipt(r);
      return new View(status.receipt().toString(), status.applied(), status.missing());
    });
  }
}
