package io.edgeproxy.replication.protocol;

import io.edgeproxy.core.change.ChangeSet;
import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.replication.wire.ClockPong;
import io.edgeproxy.replication.wire.Envelope;
import io.edgeproxy.replication.wire.Hello;
import io.edgeproxy.replication.wire.Refused;
import io.edgeproxy.sql.ApplyResult;
import io.edgeproxy.sql.ReplicaStore;
import io.edgeproxy.sql.RowKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One POP's replication protocol, free of I/O: it takes membership events, messages, local
 * commits and the passing of time, and answers with messages and routing.db work through a
 * {@link ReplicaRuntime}. Production runs it over Netty QUIC; the deterministic simulator over
 * virtual time. Every method runs on the node's one thread (the runtime's), so nothing here locks.
 *
 * <pre>
 * local commit --capture--> one transaction --push--> every peer (PushOut) --ack--> holds
 * peer push (InboundStream) --> Inbox --one merge--> routing.db --> listener (routing snapshot)
 * every sync interval: anti-entropy with one peer (SyncInitiator / SyncResponder), then each side
 *     counts the other's holds up to the cut as its own
 * Hello on every stream: holds, horizons, last sync --> Staleness: merge, or rejoin from a copy
 * </pre>
 */
public final class ReplicaNode {
  private static final Logger logger = LoggerFactory.getLogger(ReplicaNode.class);

  /**
   * Told what routing.db rows replication changed, so the routing snapshot follows. Every change
   * this node makes to rows is reported (captured, merged, copied or forgotten): the snapshot is
   * kept up to date by these calls alone, not by re-reading the file after this process's commits
   * (see {@code RoutingReloader.writesReported}).
   */
  public interface Listener {
    void changed(Collection<RowKey> rows);

    /**
     * Everything may have changed: a copy replaced routing.db's rows; {@code dropped} are the local
     * changes the copy did not have (also listed in the report's file).
     */
    void replaced(RejoinReport report, List<ReplicaStore.LostChange> dropped);
  }

  final NodeSettings settings;
  private final ReplicaStore store;
  private final HybridClock clock;
  private final ReplicaRuntime runtime;
  private final Listener listener;
  private final String self;
  private final PeerLinks peers;
  private final Rejoin rejoin;
  private final AntiEntropy antiEntropy;
  private final DigestCache digest;
  private final Arrivals arrivals;
  private final PushLag pushLag = new PushLag();
  private final ReplicaCounters counters;
  private final WarnOncePerMinute warnings = new WarnOncePerMinute(logger);
  private final StorageHealth storage;
  private final NodeTimers timers;
  private final HeldChanges held;
  private Map<String, Long> holds = Map.of();
  private Map<String, Long> horizons = Map.of();
  private final LastSync lastSync;
  private final Compaction compaction;
  private boolean closed;

  public ReplicaNode(NodeSettings settings, ReplicaStore store, HybridClock clock, ReplicaRuntime runtime, Listener listener,
      ReplicaCounters counters) {
    this.settings = settings;
    this.store = store;
    this.clock = clock;
    this.runtime = runtime;
    this.listener = listener;
    this.counters = counters;
    this.self = store.nodeId();
    this.peers = new PeerLinks(this, runtime);
    this.rejoin = new Rejoin(self);
    this.antiEntropy = new AntiEntropy(this, runtime, settings.syncInterval().toMillis());
    this.digest = new DigestCache(PushLag.MAX_SETTLE_MILLIS + settings.maxSkew().toMillis() + 5_000);
    this.storage = new StorageHealth(self, counters, warnings);
    this.arrivals = new Arrivals(this, runtime, store, clock, storage);
    this.lastSync = new LastSync(store);
    this.compaction = new Compaction(self, settings, store, digest, storage, this::compacted, listener);
    this.timers = new NodeTimers(runtime, e -> warn("timer:" + e.getClass().getSimpleName(), "replication timer failed: " + e));
    this.held = new HeldChanges(store, clock, timers, runtime, storage, this::applied);
  }

  /** Versions what was written before start, decides whether to bootstrap, starts the timers. */
  public void start() {
    clock.restore(store.newestVersion());
    digest.rebuild(store);
    refreshClocks();
    lastSync.load();
    captureAndPush();
    if (store.stats().rows() == 0) {
      rejoin.emptyStart();
    }
    long sync = settings.syncInterval().toMillis();
    timers.every(sync, () -> antiEntropy.round(peers, rejoin));
    timers.every(sync, peers::heartbeat);
    timers.every(settings.compactEvery().toMillis(),
        () -> compaction.pass(runtime.wallMillis(), peers.isEmpty() && store.members().isEmpty(), lastSync));
    held.schedule();
  }

  public String nodeId() {
    return self;
  }

  String cluster() {
    return settings.cluster();
  }

  long wallMillis() {
    return runtime.wallMillis();
  }

  long nanoTime() {
    return runtime.nanoTime();
  }

  ReplicaStore store() {
    return store;
  }

  boolean closed() {
    return closed;
  }

  int schemaVersion() {
    return store.schema().version();
  }

  Map<String, Long> holds() {
    return holds;
  }

  // ---- membership

  /** Membership says {@code peer} is up. */
  public void peerUp(PeerAddress peer) {
    peers.up(peer);
    try {
      store.rememberMember(new ReplicaStore.Member(peer.nodeId(), peer.region(),
          peer.streamAddress().getHostString() + ":" + peer.streamAddress().getPort(), runtime.wallMillis()));
    } catch (RuntimeException e) {
      storage.failed("remember member " + peer.nodeId(), e);
    }
  }

  /** Membership says {@code nodeId} is down: its connection goes; attempts to reach it go on at a slow pace. */
  public void peerDown(String nodeId) {
    peers.down(nodeId);
  }

  void pushClosed(PushOut push) {
    peers.pushClosed(push);
  }

  // ---- streams (from the runtime)

  /** A peer opened a stream to this POP (authenticated as {@link ReplicaRuntime.Stream#peer()}). */
  public void onInboundStream(ReplicaRuntime.Stream stream) {
    stream.attach(new InboundStream(this, stream));
  }

  public void onMessage(ReplicaRuntime.Stream stream, Envelope envelope) {
    if (!(stream.attachment() instanceof StreamProtocol protocol) || closed) {
      return;
    }
    try {
      protocol.onMessage(envelope);
    } catch (RuntimeException e) {
      protocol.refuse("malformed " + envelope.getBodyCase() + ": " + e.getMessage(), false);
    }
  }

  public void onClosed(ReplicaRuntime.Stream stream) {
    if (stream.attachment() instanceof StreamProtocol protocol) {
      stream.attach(null);
      protocol.onClosed();
    }
  }

  // ---- local changes

  /** Something may have been written to routing.db here: version it and ship it. */
  public void localCommit() {
    captureAndPush();
  }

  /** Versions pending local changes and ships them; the receipt of this POP's newest transaction, if any. */
  public @Nullable Receipt flush() {
    captureAndPush();
    Long newest = holds.get(self);
    return newest == null ? null : new Receipt(self, newest);
  }

  private void captureAndPush() {
    if (closed) {
      return;
    }
    ReplicaStore.Capture capture;
    try {
      capture = store.captureLocal(clock); // a cheap read when nothing is pending
    } catch (RuntimeException e) {
      storage.failed("capture local changes", e);
      return;
    }
    if (capture != null) {
      storage.ok(); // a write went through (a look that found nothing pending proves nothing)
      captured(capture);
    }
  }

  private void captured(ReplicaStore.Capture capture) {
    rejoin.writtenTo();
    digest.apply(capture.deltas(), runtime.wallMillis());
    refreshClocks();
    ship(capture.set());
    listener.changed(capture.set().rows().stream().map(r -> new RowKey(r.table(), r.key())).toList());
  }

  /** Pushes this POP's transaction to every peer, unless it must rejoin first. */
  private void ship(ChangeSet set) {
    counters.pushed(set.rows().size());
    if (!rejoin.pending()) {
      peers.push(set);
    }
  }

  // ---- arrivals

  /** A change set the peer pushed; {@code ack} gets what this POP holds of the peer once merged. */
  void pushedIn(String peer, long previous, long txn, List<RowChange> rows, LongConsumer ack) {
    pushLag.record(HybridClock.millisOf(txn), runtime.wallMillis());
    if (rejoin.pending() || peerMustRejoin(peer)) {
      arrivals.drop();
      ack.accept(holds.getOrDefault(peer, 0L)); // about to be replaced, or the peer must rejoin first: not merged
      return;
    }
    arrivals.add(new Inbox.Entry(peer, rows, new ReplicaStore.HoldsAdvance(peer, previous, txn), ack, txn));
  }

  /** Rows an anti-entropy session brought. */
  void rowsIn(String peer, List<RowChange> rows) {
    if (rejoin.pending() || peerMustRejoin(peer)) {
      arrivals.drop(); // about to be replaced, or from a peer that must rejoin first: not merged
      return;
    }
    arrivals.add(new Inbox.Entry(peer, rows, null, null, 0));
  }

  void applied(ApplyResult result) {
    counters.applied(result.applied(), result.stale(), result.held());
    if (!result.rejected().isEmpty()) {
      counters.rejected(result.rejected().size());
      warn("rejected", result.rejected().size() + " changes refused, first: " + result.rejected().getFirst());
    }
    long now = runtime.wallMillis();
    digest.apply(result.deltas(), now);
    if (result.captured() != null) {
      digest.apply(result.captured().deltas(), now);
    }
    refreshClocks();
    if (result.captured() != null) {
      ship(result.captured().set());
    }
    List<RowKey> changed = new ArrayList<>(result.changed());
    if (result.captured() != null) {
      result.captured().set().rows().forEach(r -> changed.add(new RowKey(r.table(), r.key())));
    }
    if (!changed.isEmpty()) {
      listener.changed(changed);
    }
    if (result.held() > 0) {
      held.schedule();
    }
  }

  private void refreshClocks() {
    holds = store.holds();
    horizons = store.horizons();
  }

  /** Compaction removed tombstones: this POP's horizons moved, so every peer is judged again at once. */
  private void compacted() {
    refreshClocks();
    peers.judgeAgain(rejoin, side());
  }

  // ---- anti-entropy

  long arrivalsDropped() {
    return arrivals.dropped();
  }

  /**
   * A session with {@code peer} completed at {@code cut}: count what it held then as held here too,
   * unless arrivals were lost since it began ({@link Arrivals#dropped}; replication/DESIGN.md).
   */
  void syncCompleted(String peer, long cut, Map<String, Long> theirHolds, long droppedBefore) {
    if (arrivals.dropped() != droppedBefore) {
      logger.info("{}: anti-entropy with {} lost what it brought (a rejoin, or the peer must rejoin); it counts for nothing",
          self, peer);
      return;
    }
    for (var entry : theirHolds.entrySet()) {
      long upTo = Long.compareUnsigned(entry.getValue(), cut) < 0 ? entry.getValue() : cut;
      arrivals.add(new Inbox.Entry(peer, List.of(), new ReplicaStore.HoldsAdvance(entry.getKey(), 0, upTo), null, 0));
    }
    try {
      lastSync.synced(runtime.wallMillis());
    } catch (RuntimeException e) {
      storage.failed("record the last sync", e);
    }
  }

  long settledHlc() {
    long settle = pushLag.settleMillis(runtime.wallMillis(), settings.syncInterval().toMillis());
    return HybridClock.fromMillis(HybridClock.millisOf(clock.tick()) - settle);
  }

  /** The digest at {@code cut}, after merging what arrived and versioning what is pending. */
  long[] settledDigest(long cut) {
    arrivals.drain();
    captureAndPush();
    return digest.settled(cut);
  }

  boolean receivingOlderThan(long cut) {
    long now = runtime.wallMillis();
    return now - pushLag.millis(now) < HybridClock.millisOf(cut);
  }

  boolean pushingTo(String peer) {
    PeerSession session = peers.get(peer);
    return session != null && session.push != null && session.push.inFlight();
  }

  // ---- Hellos, staleness, rejoin

  Hello hello() {
    return Hello.newBuilder().setCluster(settings.cluster()).setNodeId(self).setRegion(settings.region())
        .setMinProtocol(Handshake.MIN_PROTOCOL).setMaxProtocol(Handshake.MAX_PROTOCOL).setSchemaVersion(schemaVersion())
        .addAllHolds(WireCodec.clocks(holds)).addAllHorizons(WireCodec.clocks(horizons)).setLastSyncMs(lastSync.millis())
        .setRejoining(rejoin.stale()).setBootstrapping(rejoin.bootstrapping()).build();
  }

  /** A peer's Hello (the first on a stream, or a heartbeat): what it holds, and who of the two must rejoin. */
  void peerHello(String peer, Hello hello) {
    PeerSession session = peers.helloFrom(peer, hello);
    session.helloed(hello, self);
    if (hello.getRejoining()) {
      session.verdict = Staleness.Verdict.MERGE; // it is replacing its rows; judge it once it has
      return;
    }
    session.verdict = rejoin.judge(side(), session.side(), session.verdict);
  }

  /** The peer refused this POP; a refusal for staleness starts a rejoin. */
  void refusedBy(String peer, Refused refused) {
    rejected(peer, "peer refused us: " + refused.getReason());
    if (refused.getStale()) {
      rejoin.refusedAsStale(peer, refused.getReason());
    }
  }

  /** This POP, as a Hello describes it (for staleness judgments). */
  Staleness.Side side() {
    return new Staleness.Side(self, holds, horizons, lastSync.millis());
  }

  boolean peerMustRejoin(String peer) {
    PeerSession session = peers.get(peer);
    return session != null && session.verdict == Staleness.Verdict.PEER_REJOINS;
  }

  /** Waiting for a copy to replace its rows (empty, or stale): it takes no pushes and starts no merges. */
  boolean rejoining() {
    return rejoin.pending();
  }

  /** May serve a copy of its rows: everything but a stale POP may (an empty one serves its empty copy). */
  boolean mayServeCopy() {
    return rejoin.mayServeCopy();
  }

  /**
   * Replaces every replicated row with {@code peer}'s copy; returns the rows copied. A copy that
   * arrives after the rejoin was called off, or as routing.db is being written (see
   * {@code ReplicaStore.ReplaceResult.deferred}), is not used.
   */
  long replaceFrom(String peer, Path file, Map<String, Long> peerHolds) {
    arrivals.drain();
    captureAndPush(); // a write captured here calls off an empty POP's bootstrap
    if (!rejoin.pending()) {
      logger.info("{}: a copy from {} came after it was no longer needed; not used", self, peer);
      return 0;
    }
    ReplicaStore.ReplaceResult result = store.replaceFrom(file, peerHolds.getOrDefault(self, 0L));
    if (result.deferred()) { // written meanwhile: version that first (an empty POP's bootstrap ends there), then decide again
      captureAndPush();
      logger.info("{}: routing.db was written as the copy from {} arrived; not used{}", self, peer,
          rejoin.pending() ? ", the next one will be" : "");
      return 0;
    }
    arrivals.drop(); // what sessions under way brought was merged into the rows the copy just replaced
    clock.restore(result.maxHlc());
    digest.rebuild(store);
    refreshClocks();
    RejoinReport done = RejoinReports.record(settings.dataDir(), self, peer, rejoin.reason(), result, runtime.wallMillis());
    rejoin.done(done);
    lastSync.rejoined(runtime.wallMillis());
    for (PeerSession session : peers.all()) {
      session.verdict = Staleness.Verdict.MERGE;
    }
    listener.replaced(done, result.lost());
    peers.heartbeat(); // tell every peer at once (ahead of any push on the same stream) that this POP is current now
    if (result.deletedAgain() > 0) {
      captureAndPush(); // the deletes made again are this POP's next transaction
    }
    return result.rowsCopied();
  }

  // ---- heartbeats, clocks, compaction, held changes

  void peerHoldsSelf(String peer, long holdsOfSelf) {
    PeerSession session = peers.get(peer);
    if (session != null) {
      session.holdsOfSelf(holdsOfSelf);
    }
  }

  void clockPong(String peer, ClockPong pong) {
    PeerSession session = peers.get(peer);
    long bound = settings.maxSkew().toMillis();
    switch (session == null ? PeerSession.Skew.WITHIN : session.clockPong(pong, runtime.wallMillis(), bound)) {
      case BEYOND -> warn("skew:" + peer, "node " + peer + "'s clock is " + session.offsets.best().offsetMillis()
          + " ms off ours (round trip " + session.offsets.best().rttMillis() + " ms), beyond the " + bound + " ms bound: its"
          + " changes stamped ahead are held until our clock reaches them (check NTP)");
      case BACK_WITHIN -> logger.info("node {}'s clock is back within {} ms of ours", peer, bound);
      case WITHIN -> { }
    }
  }

  // ---- problems

  void rejected(String peer, String reason) {
    counters.rejected(1);
    warn("refused:" + peer + ":" + reason, "change-stream: refused " + peer + ": " + reason);
  }

  void warn(String key, String message) {
    warnings.warn(key, message);
  }

  // ---- status and receipts

  public NodeView view() {
    long held;
    try {
      held = store.stats().held();
    } catch (RuntimeException e) {
      held = -1;
    }
    return new NodeView(self, schemaVersion(), rejoin.reason(), rejoin.last(), storage.error(), held, lastSync.millis(),
        NodeViews.peers(peers.all(), holds));
  }

  /** Which known POPs have applied {@code receipt}, as far as this POP knows. */
  public ReceiptStatus receipt(Receipt receipt) {
    List<ReplicaStore.Member> members;
    try {
      members = store.members();
    } catch (RuntimeException e) {
      members = List.of();
    }
    return NodeViews.receipt(receipt, self, holds, peers, members);
  }

  /** Stops timers and closes every connection. */
  public void close() {
    closed = true;
    timers.close();
    peers.close();
  }
}
