package io.edgeproxy.replication.protocol;

import com.google.protobuf.ByteString;
import io.edgeproxy.replication.wire.Envelope;
import io.edgeproxy.replication.wire.HashesEnd;
import io.edgeproxy.replication.wire.RowHash;
import io.edgeproxy.replication.wire.RowHashList;
import io.edgeproxy.replication.wire.SyncDone;
import io.edgeproxy.replication.wire.SyncReply;
import io.edgeproxy.replication.wire.SyncRequest;
import io.edgeproxy.sql.RowKey;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.Iterator;
import org.jspecify.annotations.Nullable;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The answering end of an anti-entropy session: compares digests at the initiator's cut, lists
 * its row hashes in the buckets that differ, sends the rows asked for, merges the rows it is sent;
 * or sends a copy of its routing.db to a POP that holds nothing or must rejoin.
 */
final class SyncResponder {
  static final int HASHES_PER_MESSAGE = 10_000;

  private final InboundStream stream;
  private final ReplicaNode node;
  private BitSet differing = new BitSet();
  private final Set<RowKey> requested = new LinkedHashSet<>();
  private long cut;
  /** The node's count of dropped arrivals when the comparison began (see {@link ReplicaNode#syncCompleted}). */
  private long droppedBefore;
  private Map<String, Long> theirHolds = Map.of();
  private boolean busy;
  private boolean weDone;
  private boolean theyDone;

  SyncResponder(InboundStream stream) {
    this.stream = stream;
    this.node = stream.node;
  }

  void request(SyncRequest request) {
    if (request.getSnapshot()) {
      snapshot();
      return;
    }
    if (node.peerMustRejoin(stream.peer())) {
      stream.refuse("this POP holds changes " + stream.peer() + " may have missed for longer than tombstones live; it must"
          + " rejoin from a copy", true);
      return;
    }
    if (request.getBuckets() != DigestCache.BUCKETS || request.getDigestCount() != DigestCache.BUCKETS) {
      stream.refuse("sync request with " + request.getDigestCount() + " digests for " + request.getBuckets()
          + " buckets (expected: " + DigestCache.BUCKETS + " and " + DigestCache.BUCKETS + ")", false);
      return;
    }
    cut = request.getSettledHlc();
    droppedBefore = node.arrivalsDropped();
    theirHolds = WireCodec.clocks(request.getHoldsList());
    long[] ours = node.settledDigest(cut); // versions and pushes local changes first
    busy = node.rejoining() || node.pushingTo(stream.peer()) || node.receivingOlderThan(cut);
    SyncReply.Builder reply = SyncReply.newBuilder().setBusy(busy).addAllHolds(WireCodec.clocks(node.holds()))
        .setSchemaVersion(node.schemaVersion());
    for (int i = 0; i < DigestCache.BUCKETS && !busy; i++) {
      if (ours[i] != request.getDigest(i)) {
        differing.set(i);
        reply.addDiffering(i);
      }
    }
    stream.sendEnvelope(Envelope.newBuilder().setSyncReply(reply));
    RowHashList.Builder list = RowHashList.newBuilder();
    long[] count = {0};
    if (!differing.isEmpty()) {
      node.store().rowHashes(k -> differing.get(DigestCache.bucketOf(k.table(), k.key())), (row, hash) -> {
        list.addHashes(RowHash.newBuilder().setTable(row.table()).setKey(row.key()).setHash(hash));
        count[0]++;
        if (list.getHashesCount() == HASHES_PER_MESSAGE) {
          stream.sendEnvelope(Envelope.newBuilder().setHashes(list));
          list.clear();
        }
      });
    }
    if (list.getHashesCount() > 0) {
      stream.sendEnvelope(Envelope.newBuilder().setHashes(list));
    }
    stream.sendEnvelope(Envelope.newBuilder().setHashesEnd(HashesEnd.newBuilder().setCount(count[0])));
  }

  void handle(Envelope envelope) {
    switch (envelope.getBodyCase()) {
      case ROWS -> {
        List<ByteString> rows = envelope.getRows().getRowsList();
        String problem = WireRowCheck.problemIn(rows);
        if (problem != null) {
          stream.refuse("malformed row: " + problem, false);
          return;
        }
        node.rowsIn(stream.peer(), WireRowCheck.decodedWhenRead(rows));
      }
      case ROW_REQUEST -> {
        envelope.getRowRequest().getKeysList().forEach(k -> requested.add(new RowKey(k.getTable(), k.getKey())));
        if (!envelope.getRowRequest().getMore()) {
          RowTransfer out = new RowTransfer(stream::sendEnvelope);
          node.store().rows(List.copyOf(requested)).forEach(out);
          long sent = out.flush();
          requested.clear();
          stream.sendEnvelope(Envelope.newBuilder().setSyncDone(SyncDone.newBuilder().setRowsSent(sent)));
          weDone = true;
          finishIfDone();
        }
      }
      case SYNC_DONE -> {
        theyDone = true;
        if (busy) {
          stream.close();
          return;
        }
        finishIfDone();
      }
      default -> stream.unexpected(envelope);
    }
  }

  /** A copy of routing.db for the peer's bootstrap or rejoin (after versioning what is pending), or null. */
  private @Nullable Path snapshotFile() {
    try {
      node.flush();
      Path file = java.nio.file.Files.createTempFile("edgeproxy-snapshot-", ".db");
      java.nio.file.Files.delete(file); // VACUUM INTO wants to create it
      node.store().snapshotTo(file);
      return file;
    } catch (java.io.IOException | RuntimeException e) {
      node.warn("snapshot", "cannot copy routing.db for a peer: " + e.getMessage());
      return null;
    }
  }

  /**
   * A copy of routing.db, in order, then SyncDone, paced to the peer off the node's thread; the
   * temporary file is deleted afterwards.
   */
  private void snapshot() {
    if (!node.mayServeCopy()) {
      stream.sendEnvelope(Envelope.newBuilder().setSyncReply(SyncReply.newBuilder().setBusy(true)));
      return;
    }
    Path file = snapshotFile();
    if (file == null) {
      stream.sendEnvelope(Envelope.newBuilder().setSyncReply(SyncReply.newBuilder().setBusy(true)));
      return;
    }
    stream.sendEnvelope(Envelope.newBuilder().setSyncReply(SyncReply.newBuilder().setFull(true)
        .addAllHolds(WireCodec.clocks(node.holds())).setSchemaVersion(node.schemaVersion())));
    Iterator<Envelope.Builder> chunks = SnapshotTransfer.chunks(file);
    boolean[] doneSent = {false};
    stream.sendAllEnvelopes(new Iterator<>() {
      @Override
      public boolean hasNext() {
        return chunks.hasNext() || !doneSent[0];
      }

      @Override
      public Envelope.Builder next() {
        if (chunks.hasNext()) {
          return chunks.next();
        }
        doneSent[0] = true;
        return Envelope.newBuilder().setSyncDone(SyncDone.newBuilder());
      }
    }, () -> SnapshotTransfer.deleteQuietly(file));
    weDone = true;
  }

  private void finishIfDone() {
    if (weDone && theyDone) {
      node.syncCompleted(stream.peer(), cut, theirHolds, droppedBefore);
      stream.close();
    }
  }

  void closed() {
    // nothing to undo: rows received are merged on their own; holds are only counted once complete
  }
}
