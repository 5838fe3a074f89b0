package io.edgeproxy.replication.stream;

import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.change.Version;
import io.edgeproxy.replication.wire.PushAck;
import io.edgeproxy.replication.wire.ChangeBatch;
import io.edgeproxy.replication.wire.SnapshotChunk;
import io.edgeproxy.replication.wire.Envelope;
import io.edgeproxy.replication.wire.Hello;
import io.edgeproxy.replication.wire.Refused;
import io.edgeproxy.replication.wire.Row;
import io.edgeproxy.replication.wire.RowBatch;
import io.edgeproxy.replication.wire.RowKey;
import io.edgeproxy.replication.wire.RowRequest;
import io.edgeproxy.replication.wire.RowVersion;
import io.edgeproxy.replication.wire.VersionList;
import io.edgeproxy.replication.wire.VersionsEnd;
import io.edgeproxy.replication.wire.SyncDone;
import io.edgeproxy.replication.wire.SyncReply;
import io.edgeproxy.replication.wire.SyncRequest;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.Promise;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One change-stream stream, either end. Every received message is handled on the replica's
 * single database thread ({@link ReplicaEndpoint#executor()}), in arrival order, so the session
 * state below is confined to that thread and a batch is applied before a later one.
 *
 * <p>The first message from the peer must be a Hello of this cluster and protocol, from the node
 * its certificate names; anything else gets a Refused and the stream is closed.
 */
final class ChangeStreamHandler extends SimpleChannelInboundHandler<Envelope> {
  private static final Logger logger = LoggerFactory.getLogger(ChangeStreamHandler.class);
  static final int ROWS_PER_BATCH = 2_000;
  static final int VERSIONS_PER_MESSAGE = 10_000;
  static final int BUCKETS = io.edgeproxy.sql.ReplicaStore.CACHED_BUCKETS;
  private static final long SEND_WAIT_SECONDS = 30;

  /** What this end of the stream does. */
  enum Role { SERVER, PUSH, SYNC }

  private final ReplicaEndpoint replica;
  private final Role role;
  private final String expectedPeer; // from the peer's certificate (server) or the node we dialled (client)
  private final @Nullable Promise<SyncResult> syncResult;
  /** SYNC role: this replica holds no rows, so the peer sends all of its own (a snapshot). */
  private final boolean empty;
  private @Nullable Channel channel;
  private boolean helloSeen;
  private boolean weDone;
  private boolean theyDone;
  private long rowsReceived;
  private long rowsSent;
  private final long startedNanos = System.nanoTime();
  // Anti-entropy session state (SYNC and SERVER roles), confined to the database thread.
  private int differingBuckets;
  private boolean peerBusy;
  private BitSet differing = new BitSet();
  private final Map<String, Version> peerVersions = new HashMap<>();
  private final Set<String> requested = new HashSet<>();
  /** SYNC role of an empty replica: the peer's database copy being received. */
  private final SnapshotTransfer.Receiver snapshotIn = new SnapshotTransfer.Receiver();
  // Push stream state: rows sent and acknowledged (PUSH role), rows received (SERVER role).
  private volatile long pushRows; // written on the database thread only
  private volatile long pushRowsAcked;
  private volatile long lastAckNanos = System.nanoTime(); // or the first push since all were acknowledged
  private long pushRowsReceived;

  ChangeStreamHandler(ReplicaEndpoint replica, Role role, String expectedPeer, @Nullable Promise<SyncResult> syncResult) {
    this(replica, role, expectedPeer, syncResult, false);
  }

  ChangeStreamHandler(ReplicaEndpoint replica, Role role, String expectedPeer, @Nullable Promise<SyncResult> syncResult,
      boolean empty) {
    this.replica = replica;
    this.role = role;
    this.expectedPeer = expectedPeer;
    this.syncResult = syncResult;
    this.empty = empty;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    if (role != Role.SERVER) {
      send(Envelope.newBuilder().setProtocol(Frames.PROTOCOL).setHello(replica.hello()).build());
    }
    if (role == Role.SYNC) {
      replica.executor().execute(() -> {
        long settled = replica.settledHlc();
        long[] digest = replica.settledDigest(settled); // versions and pushes local changes first
        if (!empty && replica.pushingTo(expectedPeer)) {
          finishHeldOff(); // the peer is still receiving our pushes: comparing now would send them twice
          return;
        }
        SyncRequest.Builder request = SyncRequest.newBuilder().setBuckets(BUCKETS).setSettledHlc(settled).setEmpty(empty);
        for (long d : digest) {
          request.addDigest(d);
        }
        send(Envelope.newBuilder().setProtocol(Frames.PROTOCOL).setSyncRequest(request).build());
      });
    }
    ctx.fireChannelActive();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Envelope envelope) {
    replica.executor().execute(() -> {
      try {
        handle(envelope);
      } catch (RuntimeException e) {
        refuse("malformed " + envelope.getBodyCase() + ": " + e.getMessage());
      }
    });
  }

  private void handle(Envelope envelope) {
    if (envelope.getProtocol() != Frames.PROTOCOL) {
      refuse("protocol version " + envelope.getProtocol() + " (expected: " + Frames.PROTOCOL + ")");
      return;
    }
    if (!helloSeen) {
      if (!envelope.hasHello()) {
        refuse(envelope.getBodyCase() + " before Hello (expected: Hello first)");
        return;
      }
      String problem = checkHello(envelope.getHello());
      if (problem != null) {
        refuse(problem);
        return;
      }
      helloSeen = true;
      if (role == Role.SERVER) {
        send(Envelope.newBuilder().setProtocol(Frames.PROTOCOL).setHello(replica.hello()).build());
      }
      replica.peerHello(expectedPeer, envelope.getHello());
      return;
    }
    switch (envelope.getBodyCase()) {
      case HELLO -> replica.peerHello(expectedPeer, envelope.getHello());
      case CHANGES -> {
        receiveRows(envelope.getChanges().getRowsList(), true);
        pushRowsReceived += envelope.getChanges().getRowsCount();
        send(Envelope.newBuilder().setProtocol(Frames.PROTOCOL).setPushAck(PushAck.newBuilder().setRows(pushRowsReceived)).build());
      }
      case PUSH_ACK -> {
        pushRowsAcked = Math.max(pushRowsAcked, envelope.getPushAck().getRows());
        lastAckNanos = System.nanoTime();
      }
      case ROWS -> receiveRows(envelope.getRows().getRowsList(), false);
      case SNAPSHOT_CHUNK -> receiveSnapshot(envelope.getSnapshotChunk());
      case SYNC_REQUEST -> answerSync(envelope.getSyncRequest());
      case SYNC_REPLY -> differingFromReply(envelope.getSyncReply());
      case VERSIONS -> envelope.getVersions().getVersionsList().forEach(v -> peerVersions.put(v.getTable() + '\0' + v.getKey(),
          new Version(v.getHlc(), v.getNode())));
      case VERSIONS_END -> sendWhatThePeerLacks();
      case ROW_REQUEST -> {
        envelope.getRowRequest().getKeysList().forEach(k -> requested.add(k.getTable() + '\0' + k.getKey()));
        if (!envelope.getRowRequest().getMore()) {
          sendRows(differing, requested);
          requested.clear();
        }
      }
      case SYNC_DONE -> {
        theyDone = true;
        finishIfDone();
      }
      case REFUSED -> {
        replica.rejected(expectedPeer, "peer refused us: " + envelope.getRefused().getReason());
        close();
      }
      default -> refuse("unknown message " + envelope.getBodyCase());
    }
  }

  private @Nullable String checkHello(Hello hello) {
    String cluster = replica.hello().getCluster();
    if (!hello.getCluster().equals(cluster)) {
      return "cluster '" + hello.getCluster() + "' (expected: '" + cluster + "')";
    }
    if (!hello.getNodeId().equals(expectedPeer)) {
      return "Hello from node '" + hello.getNodeId() + "' over a connection authenticated as '" + expectedPeer + "'";
    }
    return null;
  }

  private void receiveRows(List<Row> rows, boolean pushed) {
    List<RowChange> changes = new ArrayList<>(rows.size());
    for (Row row : rows) {
      changes.add(WireCodec.fromWire(row));
    }
    rowsReceived += changes.size();
    replica.apply(expectedPeer, changes, pushed);
  }

  /**
   * Responder: tell the initiator which buckets differ and send our versions there (or, to an
   * empty initiator, every row). While we are bootstrapping, still have pushes to the initiator
   * that it has not acknowledged, or are ourselves receiving pushes later than the initiator's
   * settle time allows for, nothing differs: the rows that would, are on their way already.
   */
  private void answerSync(SyncRequest request) {
    int buckets = request.getBuckets();
    if (buckets != BUCKETS || request.getDigestCount() != buckets) {
      refuse("sync request with " + request.getDigestCount() + " digests for " + buckets + " buckets (expected: "
          + BUCKETS + " and " + BUCKETS + ")");
      return;
    }
    if (request.getEmpty()) { // even while bootstrapping ourselves: two new POPs must not wait for each other
      differing.set(0, BUCKETS);
      send(Envelope.newBuilder().setProtocol(Frames.PROTOCOL).setSyncReply(SyncReply.newBuilder().setFull(true)).build());
      Path file = replica.snapshotFile();
      if (file != null) {
        sendSnapshot(file);
      } else {
        sendRows(differing, null);
      }
      return;
    }
    long[] ours = replica.settledDigest(request.getSettledHlc()); // versions and pushes local changes first
    boolean busy = replica.bootstrapping() || replica.pushingTo(expectedPeer)
        || replica.receivingOlderThan(request.getSettledHlc());
    SyncReply.Builder reply = SyncReply.newBuilder().setBusy(busy);
    for (int i = 0; i < buckets && !busy; i++) {
      if (ours[i] != request.getDigest(i)) {
        differing.set(i);
        reply.addDiffering(i);
      }
    }
    send(Envelope.newBuilder().setProtocol(Frames.PROTOCOL).setSyncReply(reply).build());
    VersionList.Builder list = VersionList.newBuilder();
    long[] count = {0};
    if (!differing.isEmpty()) {
      replica.versionsIn(differing, BUCKETS, v -> {
        list.addVersions(RowVersion.newBuilder().setTable(v.table()).setKey(v.key()).setHlc(v.version().hlc())
            .setNode(v.version().node()).setDeleted(v.deleted()));
        count[0]++;
        if (list.getVersionsCount() == VERSIONS_PER_MESSAGE) {
          sendAndWait(Envelope.newBuilder().setProtocol(Frames.PROTOCOL).setVersions(list).build());
          list.clear();
        }
      });
    }
    if (list.getVersionsCount() > 0) {
      sendAndWait(Envelope.newBuilder().setProtocol(Frames.PROTOCOL).setVersions(list).build());
    }
    send(Envelope.newBuilder().setProtocol(Frames.PROTOCOL).setVersionsEnd(VersionsEnd.newBuilder().setCount(count[0])).build());
  }

  /** Initiator: the responder named the differing buckets; its versions there follow. */
  private void differingFromReply(SyncReply reply) {
    BitSet buckets = new BitSet(BUCKETS);
    for (int bucket : reply.getDifferingList()) {
      if (bucket < 0 || bucket >= BUCKETS) {
        refuse("sync reply names bucket " + bucket + " (expected: 0-" + (BUCKETS - 1) + ")");
        return;
      }
      buckets.set(bucket);
    }
    differing = buckets;
    differingBuckets = reply.getFull() ? BUCKETS : buckets.cardinality();
    peerBusy = reply.getBusy();
    if (reply.getFull()) { // we hold nothing the peer lacks; its rows follow
      send(Envelope.newBuilder().setProtocol(Frames.PROTOCOL).setSyncDone(SyncDone.newBuilder()).build());
      weDone = true;
      finishIfDone();
    }
  }

  /**
   * Initiator: with the responder's versions in hand, send the rows it lacks or holds older, ask
   * for the rows we lack or hold older (in pieces that fit a frame), and say we are done.
   */
  private void sendWhatThePeerLacks() {
    Map<String, Version> ours = new HashMap<>();
    replica.versionsIn(differing, BUCKETS, v -> ours.put(v.table() + '\0' + v.key(), v.version()));
    Set<String> theyNeed = new HashSet<>();
    ours.forEach((key, version) -> {
      Version theirs = peerVersions.get(key);
      if (theirs == null || version.isNewerThan(theirs)) {
        theyNeed.add(key);
      }
    });
    RowRequest.Builder request = RowRequest.newBuilder();
    for (Map.Entry<String, Version> e : peerVersions.entrySet()) {
      Version mine = ours.get(e.getKey());
      if (mine == null || e.getValue().isNewerThan(mine)) {
        if (request.getKeysCount() == VERSIONS_PER_MESSAGE) {
          send(Envelope.newBuilder().setProtocol(Frames.PROTOCOL).setRowRequest(request.setMore(true)).build());
          request.clear();
        }
        int sep = e.getKey().indexOf('\0');
        request.addKeys(RowKey.newBuilder().setTable(e.getKey().substring(0, sep)).setKey(e.getKey().substring(sep + 1)));
      }
    }
    peerVersions.clear();
    send(Envelope.newBuilder().setProtocol(Frames.PROTOCOL).setRowRequest(request.setMore(false)).build());
    sendRows(differing, theyNeed);
  }

  /**
   * Sends the rows of {@code wanted} ("table\0key"; null: all of them) found in the differing
   * buckets, then SyncDone.
   */
  private void sendRows(BitSet buckets, @Nullable Set<String> wanted) {
    List<Row> batch = new ArrayList<>(ROWS_PER_BATCH);
    if (wanted == null || !wanted.isEmpty()) {
      replica.rowsIn(buckets, BUCKETS, change -> {
        if (wanted != null && !wanted.contains(change.table() + '\0' + change.key())) {
          return;
        }
        batch.add(WireCodec.toWire(change));
        if (batch.size() == ROWS_PER_BATCH) {
          flushRows(batch);
        }
      });
    }
    flushRows(batch);
    send(Envelope.newBuilder().setProtocol(Frames.PROTOCOL).setSyncDone(SyncDone.newBuilder().setRowsSent(rowsSent)).build());
    weDone = true;
    finishIfDone();
  }

  /** Responder to an empty replica: our database copy in order, then SyncDone; the file is deleted. */
  private void sendSnapshot(Path file) {
    try {
      SnapshotTransfer.send(file, chunk -> sendAndWait(Envelope.newBuilder().setProtocol(Frames.PROTOCOL)
          .setSnapshotChunk(chunk).build()));
    } catch (java.io.IOException e) {
      logger.warn("cannot send a snapshot to {}: {}", expectedPeer, e.toString());
      close();
      return;
    } finally {
      SnapshotTransfer.deleteQuietly(file);
    }
    send(Envelope.newBuilder().setProtocol(Frames.PROTOCOL).setSyncDone(SyncDone.newBuilder()).build());
    weDone = true;
    finishIfDone();
  }

  /** Empty initiator: store a piece of the peer's database copy; merge it when the last one is in. */
  private void receiveSnapshot(SnapshotChunk chunk) {
    if (role != Role.SYNC || !empty) {
      refuse("a snapshot chunk on a stream that did not ask for one");
      return;
    }
    switch (snapshotIn.accept(chunk, expectedPeer)) {
      case SnapshotTransfer.Receiver.Progress.More more -> { }
      case SnapshotTransfer.Receiver.Progress.Refused refused -> refuse(refused.problem());
      case SnapshotTransfer.Receiver.Progress.Complete complete -> {
        try {
          rowsReceived += replica.importSnapshot(expectedPeer, complete.file());
        } catch (RuntimeException e) {
          refuse("snapshot from " + expectedPeer + " unusable: " + e.getMessage());
        } finally {
          snapshotIn.discard();
        }
      }
    }
  }

  private void flushRows(List<Row> batch) {
    if (batch.isEmpty()) {
      return;
    }
    rowsSent += batch.size();
    sendAndWait(Envelope.newBuilder().setProtocol(Frames.PROTOCOL).setRows(RowBatch.newBuilder().addAllRows(batch)).build());
    batch.clear();
  }

  /** Large transfers (a new POP's bootstrap) wait for the peer to keep up instead of buffering all of it. */
  private void sendAndWait(Envelope envelope) {
    ChannelFuture written = send(envelope);
    if (written != null && channel != null && !channel.isWritable()) {
      written.awaitUninterruptibly(SEND_WAIT_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** Initiator: ends the session before it starts, with nothing exchanged. */
  private void finishHeldOff() {
    if (syncResult != null) {
      syncResult.trySuccess(new SyncResult(expectedPeer, 0, 0, 0, 0, true));
    }
    close();
  }

  private void finishIfDone() {
    if (!weDone || !theyDone) {
      return;
    }
    if (role == Role.SYNC && syncResult != null) {
      syncResult.trySuccess(new SyncResult(expectedPeer, rowsReceived, rowsSent, differingBuckets,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos), peerBusy));
      close();
    }
  }

  /** Pushes local changes (PUSH role). Database thread. */
  void push(List<RowChange> changes) {
    if (pushRowsAcked >= pushRows) {
      lastAckNanos = System.nanoTime();
    }
    pushRows += changes.size();
    for (int from = 0; from < changes.size(); from += ROWS_PER_BATCH) {
      ChangeBatch.Builder batch = ChangeBatch.newBuilder();
      for (RowChange change : changes.subList(from, Math.min(changes.size(), from + ROWS_PER_BATCH))) {
        batch.addRows(WireCodec.toWire(change));
      }
      send(Envelope.newBuilder().setProtocol(Frames.PROTOCOL).setChanges(batch).build());
    }
  }

  /**
   * PUSH role: true while the peer has not acknowledged every row pushed to it, unless it has
   * acknowledged nothing for {@code stalledAfterNanos} (then anti-entropy must not wait for it).
   */
  boolean pushInFlight(long stalledAfterNanos) {
    return pushRowsAcked < pushRows && System.nanoTime() - lastAckNanos < stalledAfterNanos;
  }

  /** Sends our Hello again, as a heartbeat carrying our newest version. Any thread. */
  void heartbeat() {
    send(Envelope.newBuilder().setProtocol(Frames.PROTOCOL).setHello(replica.hello()).build());
  }

  private void refuse(String reason) {
    replica.rejected(expectedPeer, reason);
    send(Envelope.newBuilder().setProtocol(Frames.PROTOCOL).setRefused(Refused.newBuilder().setReason(reason)).build());
    close();
  }

  private @Nullable ChannelFuture send(Envelope envelope) {
    Channel ch = channel;
    return ch != null && ch.isActive() ? ch.writeAndFlush(envelope) : null;
  }

  private void close() {
    Channel ch = channel;
    if (ch != null) {
      ch.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    replica.executor().execute(snapshotIn::discard); // a bootstrap cut off midway leaves no file behind
    if (syncResult != null) {
      syncResult.tryFailure(new IllegalStateException("sync stream with " + expectedPeer + " closed before it finished"));
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    logger.debug("change-stream with {} failed: {}", expectedPeer, cause.toString());
    if (cause instanceof io.netty.handler.codec.DecoderException) {
      replica.rejected(expectedPeer, "undecodable message: " + cause.getMessage());
    }
    ctx.close();
  }
}
