package io.edgeproxy.replication;

import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.config.ReplicationConfig;
import io.edgeproxy.core.geo.SocketAddresses;
import io.edgeproxy.replication.cluster.Membership;
import io.edgeproxy.replication.stream.ChangeStreamServer;
import io.edgeproxy.replication.stream.PeerLink;
import io.edgeproxy.replication.stream.ReplicaEndpoint;
import io.edgeproxy.replication.stream.SyncResult;
import io.edgeproxy.replication.tls.NodeCredentials;
import io.edgeproxy.replication.wire.Hello;
import io.edgeproxy.sql.ApplyResult;
import io.edgeproxy.sql.CommitWatcher;
import io.edgeproxy.sql.ReplicaStore;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.sql.RoutingReloader;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this POP's routing.db converged with every other POP's.
 *
 * <pre>
 * local write (appliance, CLI, sqlite3) --trigger--> __edge_pending --capture (every 5 ms)--> versions
 *     --> push to every peer (QUIC push stream) --> peer: apply (LWW) --> peer's routing snapshot reloads
 * every sync interval: anti-entropy with one random peer (digest, differing buckets both ways)
 * membership (SWIM): peer up --> connect (mTLS, node id checked) ; peer down --> disconnect
 * </pre>
 *
 * <p>All routing.db work runs on one thread ({@link #executor()}): captures, applies, digests and
 * row streaming never interleave. Membership and network callbacks only queue work onto it.
 */
public final class Replicator implements ReplicaEndpoint, Membership.Listener, AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(Replicator.class);
  /** How often to look for local changes when the file system reports no commits (inotify). */
  private static final Duration CAPTURE_EVERY_WATCHED = Duration.ofMillis(100);
  /** How often to look when it cannot (the look is cheap, but wakes the process 200 times a second). */
  private static final Duration CAPTURE_EVERY_UNWATCHED = Duration.ofMillis(5);
  private static final Duration TOMBSTONE_TTL = Duration.ofDays(7);
  private static final Duration CLOCK_SKEW_WARNING = Duration.ofMinutes(1);

  private final ReplicationConfig config;
  private final String region;
  private final ReplicaStore store;
  private final HybridClock clock;
  private final NodeCredentials credentials;
  private final ExecutorService dbThread;
  private final ScheduledExecutorService timer;
  private final EventLoopGroup io;
  private final PeerConnections connections;
  private final LongAdder applied = new LongAdder();
  private final LongAdder stale = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder pushed = new LongAdder();
  private final AtomicLong newestOwn = new AtomicLong();
  private final PushLag pushLag = new PushLag();
  private final WarnOncePerMinute warnings = new WarnOncePerMinute(logger);
  private @Nullable ChangeStreamServer server;
  private @Nullable CommitWatcher commitWatcher;
  private final AtomicBoolean captureQueued = new AtomicBoolean();
  private final Path dbPath;
  private @Nullable Membership membership;
  private final SnapshotUpdater snapshots;
  /** Rows peers sent, waiting for the database thread; applied together in one transaction. */
  private final List<Inbound> inbox = new ArrayList<>();
  private boolean drainQueued;
  /** An anti-entropy session is running (one at a time). */
  private final AtomicBoolean syncing = new AtomicBoolean();
  private volatile boolean closed;
  /** A new, empty POP: true until the copy from its first peer is applied. */
  private volatile boolean bootstrapping;
  /** That copy has arrived (it may still be being applied). */
  private volatile boolean bootstrapCopied;

  private Replicator(ReplicationConfig config, String region, Path dbPath, RoutingReloader reloader,
      ReplicaStore store, NodeCredentials credentials) {
    this.config = config;
    this.dbPath = dbPath;
    this.region = region;
    this.store = store;
    this.clock = HybridClock.system();
    this.credentials = credentials;
    this.dbThread = Executors.newSingleThreadExecutor(new DefaultThreadFactory("replication-db", true));
    this.timer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("replication-timer", true));
    this.snapshots = new SnapshotUpdater(reloader, timer);
    this.io = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("replication-io", true), NioIoHandler.newFactory());
    this.connections = new PeerConnections(new PeerConnections.Wiring(io, credentials, this, timer, warnings,
        rejected::increment, this::sync));
  }

  /**
   * Starts replication for the node whose routing.db is {@code db}: loads its credentials, opens the
   * change-stream listener, joins the cluster.
   *
   * @throws IllegalArgumentException when credentials are missing or invalid (naming the file)
   */
  public static Replicator start(ReplicationConfig config, String region, RoutingDb db, RoutingReloader reloader) {
    requireNonNull(config, "config");
    ReplicaStore store = ReplicaStore.open(db, config.nodeId());
    if (config.tlsDir() == null) {
      throw new IllegalArgumentException("EDGEPROXY_REPLICATION_TLS_DIR is not set (expected: a directory made by"
          + " 'edgeproxy certs init'; the change-stream always uses mutual TLS)");
    }
    NodeCredentials credentials = NodeCredentials.load(config.tlsDir(), store.nodeId(), config.clusterKey());
    Replicator replicator = new Replicator(config, region, db.path(), reloader, store, credentials);
    try {
      replicator.startAll(Membership.Timing.fromGossipInterval(config.gossipInterval()));
      return replicator;
    } catch (RuntimeException e) {
      replicator.close();
      throw e;
    }
  }

  private void startAll(Membership.Timing timing) {
    // Version anything written before start (including rows that predate capture) before telling anyone.
    runOnDb(this::captureAndPush);
    // A new, empty POP copies everything from its first peer; until then it tells other peers'
    // anti-entropy that nothing differs, or each of them would send it everything too.
    bootstrapping = runOnDb(() -> store.stats().versions()) == 0;
    server = ChangeStreamServer.bind(io, config.transportAddress(), credentials, this);
    String host = Addresses.advertiseHost(config);
    InetSocketAddress stream = new InetSocketAddress(host, server.address().getPort());
    membership = Membership.start(
        new Membership.Self(store.nodeId(), region, host, config.gossipAddress().getPort(), stream),
        config.clusterName(), credentials.clusterKey(), config.bootstrapPeers(), timing, this);
    long sync = config.syncInterval().toMillis();
    // Local commits (by anyone) are seen at once through the file system; the timer is the safety net.
    commitWatcher = CommitWatcher.start(dbPath, this::captureSoon).orElse(null);
    long every = (commitWatcher != null ? CAPTURE_EVERY_WATCHED : CAPTURE_EVERY_UNWATCHED).toMillis();
    timer.scheduleWithFixedDelay(this::captureSoon, every, every, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(this::antiEntropyRound, sync, sync, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(() -> connections.links().forEach(PeerLink::heartbeat), sync, sync, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(() -> dbThread.execute(this::compactTombstones), 1, 60, TimeUnit.MINUTES);
    logger.info("replication up: node {}, cluster {}, change-stream {}, gossip {}", store.nodeId(), config.clusterName(),
        SocketAddresses.format(stream), membership.address());
  }

  public String nodeId() {
    return store.nodeId();
  }

  /** Queues a look for local changes on the database thread, unless one is queued already. Any thread. */
  private void captureSoon() {
    if (captureQueued.compareAndSet(false, true)) {
      dbThread.execute(() -> {
        captureQueued.set(false);
        captureAndPush();
      });
    }
  }

  /** Versions local changes since the last look and ships them. Database thread only. */
  private void captureAndPush() {
    if (closed) {
      return;
    }
    try {
      List<RowChange> changes = store.captureLocal(clock); // a cheap read when nothing is pending
      if (!changes.isEmpty()) {
        shipLocal(changes);
        snapshots.changed(changes);
      }
    } catch (RuntimeException e) {
      warnings.warn("capture", "cannot capture local changes: " + e.getMessage());
    }
  }

  private void shipLocal(List<RowChange> changes) {
    for (RowChange change : changes) {
      newestOwn.accumulateAndGet(change.version().hlc(), Math::max);
    }
    pushed.add(changes.size());
    for (PeerLink link : connections.links()) {
      link.push(changes);
    }
  }

  /**
   * Syncs with one random peer that holds every change we pushed to it (a peer still receiving our
   * pushes would get them twice), one session at a time: a slow one must not pile up others.
   */
  private void antiEntropyRound() {
    List<PeerLink> up = new ArrayList<>();
    for (PeerLink link : connections.links()) {
      if (!link.pushInFlight()) {
        up.add(link);
      }
    }
    if (up.isEmpty() || closed || syncing.get()) {
      return;
    }
    sync(up.get(ThreadLocalRandom.current().nextInt(up.size())));
  }

  /**
   * One anti-entropy session with {@code link}'s peer; while this POP is bootstrapping, a bulk
   * copy of everything the peer holds (retried with the next peer if it fails).
   */
  private void sync(PeerLink link) {
    if (!syncing.compareAndSet(false, true)) {
      return;
    }
    long started = System.nanoTime();
    boolean bootstrap = bootstrapping && !bootstrapCopied;
    if (bootstrap) {
      logger.info("bootstrapping from {}: this POP holds no rows yet", link.peer());
    }
    PeerState state = connections.state(link.peer());
    long theirs = state == null ? 0 : state.theirNewestOwn();
    link.sync(bootstrap).addListener(f -> {
      syncing.set(false);
      if (bootstrap && f.isSuccess() && !((SyncResult) f.getNow()).heldOff()) {
        bootstrapCopied = true; // no second copy from another peer
        dbThread.execute(() -> bootstrapping = false); // once the rows it brought are applied
      }
      if (!f.isSuccess()) {
        logger.debug("anti-entropy with {} failed: {}", link.peer(), f.cause().toString());
        return;
      }
      var result = (SyncResult) f.getNow();
      if (state != null) {
        state.synced(theirs, result.rowsReceived());
      }
      if ((bootstrap && !result.heldOff()) || result.rowsReceived() > 0 || result.rowsSent() > 0) {
        logger.info("{} with {}: {} differing buckets, {} rows received, {} sent, {} ms",
            bootstrap ? "bootstrap sync" : "anti-entropy", link.peer(), result.differingBuckets(), result.rowsReceived(),
            result.rowsSent(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      }
    });
  }

  private void compactTombstones() {
    long cutoff = HybridClock.fromMillis(System.currentTimeMillis() - TOMBSTONE_TTL.toMillis());
    int removed = store.compactTombstones(cutoff);
    if (removed > 0) {
      logger.info("compacted {} tombstones older than {} days", removed, TOMBSTONE_TTL.toDays());
    }
  }

  // ---- membership

  @Override
  public void peerUp(Membership.Peer peer) {
    connections.up(peer);
  }

  @Override
  public void peerDown(String nodeId) {
    connections.down(nodeId);
  }

  // ---- ReplicaEndpoint (called by the change-stream)

  @Override
  public Hello hello() {
    return Hello.newBuilder().setCluster(config.clusterName()).setNodeId(store.nodeId()).setRegion(region)
        .setHlc(newestOwn.get()).build();
  }

  @Override
  public void peerHello(String node, Hello hello) {
    PeerState state = connections.state(node);
    if (state != null) {
      state.heard(hello.getHlc());
    }
    long skew = HybridClock.millisOf(hello.getHlc()) - System.currentTimeMillis();
    if (skew > CLOCK_SKEW_WARNING.toMillis()) {
      warnings.warn("skew:" + node, "node " + node + "'s clock is " + skew + " ms ahead of ours; its changes will win over"
          + " later ones made here until ours catches up (check NTP)");
    }
  }

  @Override
  public boolean pushingTo(String peer) {
    PeerLink link = connections.link(peer);
    return link != null && link.pushInFlight();
  }

  @Override
  public boolean bootstrapping() {
    return bootstrapping;
  }

  @Override
  public Executor executor() {
    return dbThread;
  }

  @Override
  public long[] settledDigest(long settledHlc) {
    drainInbox(); // rows already received count as held: the peer must not send them again
    captureAndPush();
    return store.settledDigest(settledHlc);
  }

  @Override
  public long settledHlc() {
    long settle = pushLag.settleMillis(System.currentTimeMillis(), config.syncInterval().toMillis());
    return HybridClock.fromMillis(HybridClock.millisOf(clock.tick()) - settle);
  }

  @Override
  public boolean receivingOlderThan(long settledHlc) {
    long now = System.currentTimeMillis();
    return now - pushLag.millis(now) < HybridClock.millisOf(settledHlc);
  }

  @Override
  public void rowsIn(BitSet buckets, int bucketCount, Consumer<RowChange> sink) {
    store.rowsIn(buckets, bucketCount, sink);
  }

  @Override
  public void versionsIn(BitSet buckets, int bucketCount, Consumer<ReplicaStore.RowVersion> sink) {
    store.versionsIn(buckets, bucketCount, sink);
  }

  /**
   * Queues rows a peer sent and applies everything queued in one transaction when the database
   * thread gets to it: under a stream of small pushes, many batches share one commit instead of
   * paying for one each. Database thread only.
   */
  @Override
  public void apply(String fromNode, List<RowChange> rows, boolean pushed) {
    if (pushed) { // measured on arrival: a sync request queued behind these rows must already see the delay
      long now = System.currentTimeMillis();
      for (RowChange row : rows) {
        if (row.version().node().equals(fromNode)) {
          pushLag.record(HybridClock.millisOf(row.version().hlc()), now);
        }
      }
    }
    inbox.add(new Inbound(fromNode, rows));
    if (!drainQueued) {
      drainQueued = true;
      dbThread.execute(this::drainInbox);
    }
  }

  private record Inbound(String from, List<RowChange> rows) {}

  /** A copy of routing.db for a new POP (VACUUM INTO an empty temporary file). Database thread. */
  @Override
  public @Nullable Path snapshotFile() {
    try {
      captureAndPush(); // version what is pending, so the copy carries it
      Path file = java.nio.file.Files.createTempFile("edgeproxy-snapshot-", ".db");
      store.snapshotTo(file);
      return file;
    } catch (java.io.IOException | RuntimeException e) {
      warnings.warn("snapshot", "cannot copy routing.db for a new POP (" + e.getMessage() + "); sending its rows instead");
      return null;
    }
  }

  /** Merges a peer's copy of its routing.db (this POP's bootstrap). Database thread. */
  @Override
  public long importSnapshot(String fromNode, Path file) {
    drainInbox(); // pushes that arrived first: their versions then count in the merge
    captureAndPush();
    long started = System.nanoTime();
    ReplicaStore.ImportResult result = store.importSnapshot(file, clock);
    applied.add(result.versionsTaken());
    logger.info("bootstrap from {}: snapshot merged, {} row versions taken, {} rows written, {} ms", fromNode,
        result.versionsTaken(), result.rowsWritten(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    snapshots.reloadAll(); // the whole table changed: one full read
    return result.versionsTaken();
  }

  private void drainInbox() {
    drainQueued = false;
    if (inbox.isEmpty()) {
      return;
    }
    List<RowChange> rows = new ArrayList<>();
    for (Inbound in : inbox) {
      rows.addAll(in.rows());
    }
    List<Inbound> batch = List.copyOf(inbox);
    inbox.clear();
    ApplyResult result;
    try {
      result = store.apply(rows, clock);
    } catch (RuntimeException e) {
      warnings.warn("apply", "cannot apply " + rows.size() + " changes: " + e.getMessage()
          + " (kept the last good state; anti-entropy will retry)");
      return;
    }
    applied.add(result.applied());
    stale.add(result.stale());
    if (bootstrapping && applied.sum() / 10_000 != (applied.sum() - result.applied()) / 10_000) {
      logger.info("bootstrap: {} rows applied so far", applied.sum());
    }
    if (!result.rejected().isEmpty()) {
      rejected.add(result.rejected().size());
      warnings.warn("rejected", result.rejected().size() + " changes refused, first: " + result.rejected().get(0));
    }
    for (Inbound in : batch) {
      PeerState state = connections.state(in.from());
      if (state != null) {
        state.applied(in.rows());
      }
    }
    if (!result.captured().isEmpty()) {
      shipLocal(result.captured());
    }
    if (result.applied() > 0 || !result.captured().isEmpty()) {
      List<RowChange> changed = new ArrayList<>(result.appliedChanges());
      changed.addAll(result.captured());
      snapshots.changed(changed);
    }
  }

  @Override
  public void rejected(String peer, String reason) {
    rejected.increment();
    warnings.warn("refused:" + peer + ":" + reason, "change-stream: refused " + peer + ": " + reason);
  }

  // ---- status

  public ReplicationStatus status() {
    List<ReplicationStatus.Peer> out = connections.status();
    Membership m = membership;
    ChangeStreamServer srv = server;
    return new ReplicationStatus(store.nodeId(), config.clusterName(), m == null ? "" : m.address(),
        srv == null ? "" : SocketAddresses.format(srv.address()), runOnDb(() -> store.stats().versions()),
        out, applied.sum(), stale.sum(), rejected.sum() + (m == null ? 0 : m.rejectedMessages()), pushed.sum());
  }

  /** Runs {@code work} on the database thread and waits for it. */
  private <T> T runOnDb(java.util.concurrent.Callable<T> work) {
    try {
      return dbThread.submit(work).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("replication database work failed: " + e.getMessage(), e);
    }
  }

  private void runOnDb(Runnable work) {
    runOnDb(Executors.callable(work));
  }

  /** Applies local changes and ships them at once (instead of at the next 5 ms look). */
  public void flushLocalChanges() {
    runOnDb(this::captureAndPush);
  }

  @Override
  public void close() {
    closed = true;
    connections.close();
    if (commitWatcher != null) {
      commitWatcher.close();
    }
    timer.shutdownNow();
    if (membership != null) {
      membership.close();
    }
    if (server != null) {
      server.close();
    }
    dbThread.shutdown();
    try {
      dbThread.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    snapshots.close();
    io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
