package io.edgeproxy.replication.protocol;

import io.edgeproxy.core.change.ChangeSet;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.replication.wire.ClockPing;
import io.edgeproxy.replication.wire.Envelope;
import io.edgeproxy.replication.wire.Hello;
import java.util.ArrayList;
import java.util.List;

/**
 * This POP's push stream to one peer: its transactions as they are captured, Hellos (for the
 * peer's view of what this POP holds) and clock pings. The peer acknowledges each change set once
 * applied; while some are not, anti-entropy leaves that peer alone (it would send them twice).
 */
final class PushOut extends StreamProtocol {
  /** A change set larger than this many rows goes in several messages (each under a frame). */
  static final int ROWS_PER_MESSAGE = 2_000;
  /** After this long without an acknowledgement, the peer no longer counts as receiving pushes. */
  static final long STALLED_NANOS = 10_000_000_000L;

  private boolean ready;
  private long sets;
  private long acked;
  private long lastAckNanos;

  PushOut(ReplicaNode node, ReplicaRuntime.Stream stream) {
    super(node, stream);
  }

  void start() {
    sendHello();
  }

  @Override
  void onHello(Hello hello) {
    ready = true;
  }

  /** True once the peer has answered Hello: pushes may flow. */
  boolean ready() {
    return ready && stream.isOpen();
  }

  /** Sends a transaction, as {@link #pieces} cut it (once for every peer). */
  void push(List<io.edgeproxy.replication.wire.ChangeSet> pieces) {
    if (acked >= sets) {
      lastAckNanos = node.nanoTime();
    }
    for (var piece : pieces) {
      sets++;
      send(Envelope.newBuilder().setChanges(piece));
    }
  }

  /** A transaction in wire messages of at most {@link #ROWS_PER_MESSAGE} rows. */
  static List<io.edgeproxy.replication.wire.ChangeSet> pieces(ChangeSet set) {
    List<RowChange> rows = set.rows();
    List<io.edgeproxy.replication.wire.ChangeSet> out = new ArrayList<>();
    for (int from = 0; from < Math.max(1, rows.size()); from += ROWS_PER_MESSAGE) {
      // Split sets carry the same numbers: only the last piece completes the transaction.
      boolean last = from + ROWS_PER_MESSAGE >= rows.size();
      var piece = io.edgeproxy.replication.wire.ChangeSet.newBuilder()
          .setPrevious(last ? set.previous() : set.txn()).setTxn(set.txn());
      for (RowChange row : rows.subList(from, Math.min(rows.size(), from + ROWS_PER_MESSAGE))) {
        piece.addRows(WireRows.encode(row));
      }
      out.add(piece.build());
    }
    return out;
  }

  /** Hello (what this POP holds now) and a clock ping. */
  void heartbeat() {
    if (ready()) {
      sendHello();
      send(Envelope.newBuilder().setClockPing(ClockPing.newBuilder().setSentMs(node.wallMillis())));
    }
  }

  /** True while change sets are unacknowledged, unless nothing was acknowledged for 10 s. */
  boolean inFlight() {
    return acked < sets && node.nanoTime() - lastAckNanos < STALLED_NANOS;
  }

  @Override
  void handle(Envelope envelope) {
    switch (envelope.getBodyCase()) {
      case PUSH_ACK -> {
        acked = Math.max(acked, envelope.getPushAck().getSets());
        lastAckNanos = node.nanoTime();
        node.peerHoldsSelf(peer(), envelope.getPushAck().getHolds());
      }
      case CLOCK_PONG -> node.clockPong(peer(), envelope.getClockPong());
      default -> unexpected(envelope);
    }
  }

  @Override
  void onClosed() {
    node.pushClosed(this);
  }
}
