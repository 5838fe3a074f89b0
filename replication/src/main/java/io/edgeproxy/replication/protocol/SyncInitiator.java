package io.edgeproxy.replication.protocol;

import com.google.protobuf.ByteString;
import io.edgeproxy.replication.wire.Envelope;
import io.edgeproxy.replication.wire.Hello;
import io.edgeproxy.replication.wire.RowHash;
import io.edgeproxy.replication.wire.RowRequest;
import io.edgeproxy.replication.wire.SyncDone;
import io.edgeproxy.replication.wire.SyncReply;
import io.edgeproxy.replication.wire.SyncRequest;
import io.edgeproxy.sql.RowKey;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The starting end of an anti-entropy session (see the protocol description in
 * {@code replication.proto}), or of a copy for a POP that holds nothing or must rejoin.
 */
final class SyncInitiator extends StreamProtocol {
  /** How a session ended. */
  record Outcome(String peer, long rowsReceived, long rowsSent, int differingBuckets, boolean heldOff, boolean copied) {}

  private final boolean snapshot;
  private final Runnable heard;
  private final Consumer<Outcome> done;
  private final SnapshotTransfer.Receiver copy = new SnapshotTransfer.Receiver();
  private final Map<RowKey, Long> theirHashes = new HashMap<>();
  private BitSet differing = new BitSet();
  private Map<String, Long> theirHolds = Map.of();
  private long cut;
  /** The node's count of dropped arrivals when the comparison began (see {@link ReplicaNode#syncCompleted}). */
  private long droppedBefore;
  private long rowsReceived;
  private long rowsSent;
  private boolean weDone;
  private boolean theyDone;
  private boolean finished;
  private boolean replaced;

  /**
   * @param heard told of every message from the peer (the session is making progress)
   * @param done told once how the session ended
   */
  SyncInitiator(ReplicaNode node, ReplicaRuntime.Stream stream, boolean snapshot, Runnable heard, Consumer<Outcome> done) {
    super(node, stream);
    this.snapshot = snapshot;
    this.heard = heard;
    this.done = done;
  }

  void start() {
    sendHello();
  }

  @Override
  void onHello(Hello hello) {
    heard.run();
    if (snapshot) {
      send(Envelope.newBuilder().setSyncRequest(SyncRequest.newBuilder().setSnapshot(true).setBuckets(DigestCache.BUCKETS)));
      return;
    }
    if (node.rejoining() || node.pushingTo(peer())) {
      finish(true); // the peer is still receiving our pushes: comparing now would send them twice
      return;
    }
    cut = node.settledHlc();
    droppedBefore = node.arrivalsDropped();
    long[] digest = node.settledDigest(cut); // versions and pushes local changes first
    SyncRequest.Builder request = SyncRequest.newBuilder().setBuckets(DigestCache.BUCKETS).setSettledHlc(cut)
        .addAllHolds(WireCodec.clocks(node.holds()));
    for (long d : digest) {
      request.addDigest(d);
    }
    send(Envelope.newBuilder().setSyncRequest(request));
  }

  @Override
  void handle(Envelope envelope) {
    heard.run();
    switch (envelope.getBodyCase()) {
      case SYNC_REPLY -> reply(envelope.getSyncReply());
      case HASHES -> envelope.getHashes().getHashesList()
          .forEach(h -> theirHashes.put(new RowKey(h.getTable(), h.getKey()), h.getHash()));
      case HASHES_END -> exchange();
      case ROWS -> rows(envelope.getRows().getRowsList());
      case SNAPSHOT_CHUNK -> chunk(envelope);
      case SYNC_DONE -> {
        theyDone = true;
        finishIfDone();
      }
      default -> unexpected(envelope);
    }
  }

  private void reply(SyncReply reply) {
    theirHolds = WireCodec.clocks(reply.getHoldsList());
    if (reply.getBusy()) {
      send(Envelope.newBuilder().setSyncDone(SyncDone.newBuilder()));
      finish(true);
      return;
    }
    if (reply.getFull()) {
      weDone = true; // nothing to send: the copy follows
      return;
    }
    BitSet buckets = new BitSet(DigestCache.BUCKETS);
    for (int bucket : reply.getDifferingList()) {
      if (bucket < 0 || bucket >= DigestCache.BUCKETS) {
        refuse("sync reply names bucket " + bucket + " (expected: 0-" + (DigestCache.BUCKETS - 1) + ")", false);
        return;
      }
      buckets.set(bucket);
    }
    differing = buckets;
  }

  /** With the responder's hashes in hand: send the rows it lacks or holds otherwise, ask for the same of it. */
  private void exchange() {
    Map<RowKey, Long> ours = new HashMap<>();
    if (!differing.isEmpty()) {
      node.store().rowHashes(k -> differing.get(DigestCache.bucketOf(k.table(), k.key())), ours::put);
    }
    List<RowKey> theyNeed = new ArrayList<>();
    ours.forEach((key, hash) -> {
      if (!hash.equals(theirHashes.get(key))) {
        theyNeed.add(key);
      }
    });
    Set<RowKey> weNeed = new LinkedHashSet<>();
    theirHashes.forEach((key, hash) -> {
      if (!hash.equals(ours.get(key))) {
        weNeed.add(key);
      }
    });
    theirHashes.clear();
    RowTransfer out = new RowTransfer(this::send);
    node.store().rows(theyNeed).forEach(out);
    rowsSent = out.flush();
    RowRequest.Builder request = RowRequest.newBuilder();
    for (RowKey key : weNeed) {
      if (request.getKeysCount() == SyncResponder.HASHES_PER_MESSAGE) {
        send(Envelope.newBuilder().setRowRequest(request.setMore(true)));
        request = RowRequest.newBuilder();
      }
      request.addKeys(io.edgeproxy.replication.wire.RowKey.newBuilder().setTable(key.table()).setKey(key.key()));
    }
    send(Envelope.newBuilder().setRowRequest(request.setMore(false)));
    send(Envelope.newBuilder().setSyncDone(SyncDone.newBuilder().setRowsSent(rowsSent)));
    weDone = true;
    finishIfDone();
  }

  private void rows(List<ByteString> wire) {
    String problem = WireRowCheck.problemIn(wire);
    if (problem != null) {
      refuse("malformed row: " + problem, false);
      return;
    }
    rowsReceived += wire.size();
    node.rowsIn(peer(), WireRowCheck.decodedWhenRead(wire));
  }

  private void chunk(Envelope envelope) {
    if (!snapshot) {
      refuse("a snapshot chunk on a stream that did not ask for one", false);
      return;
    }
    switch (copy.accept(envelope.getSnapshotChunk(), peer())) {
      case SnapshotTransfer.Receiver.Progress.More more -> { }
      case SnapshotTransfer.Receiver.Progress.Refused refused -> refuse(refused.problem(), false);
      case SnapshotTransfer.Receiver.Progress.Complete complete -> {
        try {
          rowsReceived = node.replaceFrom(peer(), complete.file(), theirHolds);
          replaced = true;
        } catch (RuntimeException e) {
          refuse("copy from " + peer() + " unusable: " + e.getMessage(), false);
        } finally {
          copy.discard();
        }
      }
    }
  }

  private void finishIfDone() {
    if (weDone && theyDone) {
      if (!snapshot) {
        node.syncCompleted(peer(), cut, theirHolds, droppedBefore);
      }
      finish(false);
    }
  }

  private void finish(boolean heldOff) {
    if (!finished) {
      finished = true;
      done.accept(new Outcome(peer(), rowsReceived, rowsSent, differing.cardinality(), heldOff, replaced));
    }
    close();
  }

  @Override
  void onClosed() {
    copy.discard(); // a copy cut off midway leaves no file behind
    if (!finished) {
      finished = true;
      done.accept(new Outcome(peer(), rowsReceived, rowsSent, differing.cardinality(), true, false));
    }
  }
}
