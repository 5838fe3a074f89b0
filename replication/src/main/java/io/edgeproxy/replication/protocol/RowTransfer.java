package io.edgeproxy.replication.protocol;

import com.google.protobuf.ByteString;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.replication.wire.Envelope;
import io.edgeproxy.replication.wire.RowBatch;
import java.util.function.Consumer;

/**
 * Rows of an anti-entropy session on their way out: gathered into batches of at most
 * {@link #ROWS} rows and about {@link #BYTES} bytes (a frame is at most 16 MiB, a value up to
 * 1 MiB), each sent as soon as it is full.
 */
final class RowTransfer implements Consumer<RowChange> {
  static final int ROWS = 2_000;
  static final int BYTES = 4 << 20;

  private final Consumer<Envelope.Builder> out;
  private RowBatch.Builder batch = RowBatch.newBuilder();
  private int bytes;
  private long sent;

  RowTransfer(Consumer<Envelope.Builder> out) {
    this.out = out;
  }

  @Override
  public void accept(RowChange change) {
    ByteString row = WireRows.encode(change);
    batch.addRows(row);
    bytes += row.size();
    if (batch.getRowsCount() >= ROWS || bytes >= BYTES) {
      flush();
    }
  }

  /** Sends what is gathered; returns the rows sent so far. */
  long flush() {
    if (batch.getRowsCount() > 0) {
      sent += batch.getRowsCount();
      out.accept(Envelope.newBuilder().setRows(batch));
      batch = RowBatch.newBuilder();
      bytes = 0;
    }
    return sent;
  }
}
