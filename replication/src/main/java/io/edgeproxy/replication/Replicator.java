package io.edgeproxy.replication;

import io.edgeproxy.replication.net.RelayAcceptor;
import io.edgeproxy.replication.net.RelayLinks;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.function.Consumer;
import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.core.config.ReplicationConfig;
import io.edgeproxy.core.geo.SocketAddresses;
import io.edgeproxy.replication.cluster.Membership;
import io.edgeproxy.replication.net.ChangeStreamServer;
import io.edgeproxy.replication.net.NettyRuntime;
import io.edgeproxy.replication.net.StreamEvents;
import io.edgeproxy.replication.protocol.NodeSettings;
import io.edgeproxy.replication.protocol.NodeView;
import io.edgeproxy.replication.protocol.PeerAddress;
import io.edgeproxy.replication.protocol.Receipt;
import io.edgeproxy.replication.protocol.ReceiptStatus;
import io.edgeproxy.replication.protocol.ReplicaCounters;
import io.edgeproxy.replication.protocol.ReplicaNode;
import io.edgeproxy.replication.protocol.ReplicaRuntime;
import io.edgeproxy.replication.protocol.WarnOncePerMinute;
import io.edgeproxy.replication.tls.NodeCredentials;
import io.edgeproxy.replication.wire.Envelope;
import io.edgeproxy.sql.CommitWatcher;
import io.edgeproxy.sql.ReplicaStore;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.sql.RoutingReloader;
import io.edgeproxy.sql.RowKey;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this POP's routing.db converged with every other POP's: wires the protocol
 * ({@link ReplicaNode}, free of I/O) to Netty QUIC, SWIM membership, the file system's commit
 * notifications and the routing snapshot.
 *
 * <p>All protocol work and all routing.db work of replication run on one thread
 * ("replication-db"); membership, network and file-system callbacks only queue work onto it.
 */
public final class Replicator implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(Replicator.class);
  /** How often to look for local changes when the file system reports no commits (inotify). */
  private static final Duration CAPTURE_EVERY_WATCHED = Duration.ofMillis(100);
  /** How often to look when it cannot (the look is cheap, but wakes the process 200 times a second). */
  private static final Duration CAPTURE_EVERY_UNWATCHED = Duration.ofMillis(5);

  private final ReplicationConfig config;
  private final ReplicaStore store;
  private final ExecutorService dbThread;
  private final ScheduledExecutorService timer;
  private final ExecutorService connector;
  private final EventLoopGroup io;
  private final ReplicaCounters counters = new ReplicaCounters();
  private final WarnOncePerMinute warnings = new WarnOncePerMinute(logger);
  private final SnapshotUpdater snapshots;
  private final AtomicBoolean captureQueued = new AtomicBoolean();
  private final Path dbPath;
  private final String region;
  private final ReplicaNode node;
  private final Events events = new Events();
  private @Nullable ChangeStreamServer server;
  private @Nullable CommitWatcher commitWatcher;
  private @Nullable Membership membership;
  private final RelayLinks relayLinks;
  private volatile RelayAcceptor relayAcceptor = RelayAcceptor.NONE;
  private volatile java.util.function.Consumer<String> loadReports = report -> {};
  /** Every POP this one has known: remembered in routing.db, and listed by membership since (up or not). */
  private final java.util.Set<String> knownPops = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private Replicator(ReplicationConfig config, String region, Path dbPath, RoutingReloader reloader, ReplicaStore store,
      NodeCredentials credentials, Duration leaseForgetAfter) {
    this.region = region;
    this.config = config;
    this.dbPath = dbPath;
    this.store = store;
    this.dbThread = Executors.newSingleThreadExecutor(new DefaultThreadFactory("replication-db", true));
    this.timer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("replication-timer", true));
    this.connector = Executors.newCachedThreadPool(new DefaultThreadFactory("replication-connect", true));
    this.snapshots = new SnapshotUpdater(reloader, timer);
    this.io = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("replication-io", true), NioIoHandler.newFactory());
    Path dataDir = dbPath.toAbsolutePath().getParent();
    NodeSettings settings = new NodeSettings(config.clusterName(), region, config.syncInterval(), config.tombstoneTtl(),
        config.maxClockSkew(), leaseForgetAfter, dataDir == null ? Path.of(".") : dataDir);
    ReplicaRuntime runtime = new NettyRuntime(io, credentials, dbThread, timer, connector, events, counters::rejectedElsewhere);
    this.node = new ReplicaNode(settings, store, HybridClock.system(config.maxClockSkew()), runtime, new SnapshotListener(),
        counters);
    events.node = node;
    this.relayLinks = new RelayLinks(io, credentials);
  }

  /**
   * Starts replication for the node whose routing.db is {@code db}: loads its credentials, opens the
   * change-stream listener, joins the cluster.
   *
   * @param leaseForgetAfter a registration whose lease ended this long ago is forgotten (deregister-after plus the tombstone TTL)
   * @throws IllegalArgumentException when credentials are missing or invalid (naming the file)
   */
  public static Replicator start(ReplicationConfig config, String region, RoutingDb db, RoutingReloader reloader,
      Duration leaseForgetAfter) {
    requireNonNull(config, "config");
    ReplicaStore store = ReplicaStore.open(db, config.nodeId());
    NodeCredentials credentials = checkCredentials(config, store.nodeId());
    Replicator replicator = new Replicator(config, region, db.path(), reloader, store, credentials, leaseForgetAfter);
    try {
      replicator.startAll(credentials, region);
      return replicator;
    } catch (RuntimeException e) {
      replicator.close();
      throw e;
    }
  }

  private void startAll(NodeCredentials credentials, String region) {
    // Version anything written before start (rows that predate capture included) before telling anyone.
    runOnDb(node::start);
    runOnDb(() -> store.members().forEach(m -> knownPops.add(m.node())));
    server = ChangeStreamServer.bind(io, config.transportAddress(), credentials, events, dbThread,
        (stream, peer) -> relayAcceptor.accept(stream, peer));
    String host = Addresses.advertiseHost(config);
    InetSocketAddress stream = new InetSocketAddress(host, server.address().getPort());
    membership = Membership.start(
        new Membership.Self(store.nodeId(), region, host, config.gossipAddress(), stream, store.schema().version(),
            "2-2"),
        config.clusterName(), credentials.clusterKey(), config.bootstrapPeers(),
        Membership.Timing.fromGossipInterval(config.gossipInterval()), new MembershipEvents());
    // Local commits (by anyone) are seen at once through the file system; the timer is the safety net.
    commitWatcher = CommitWatcher.start(dbPath, this::captureSoon).orElse(null);
    long every = (commitWatcher != null ? CAPTURE_EVERY_WATCHED : CAPTURE_EVERY_UNWATCHED).toMillis();
    timer.scheduleWithFixedDelay(this::captureSoon, every, every, TimeUnit.MILLISECONDS);
    snapshots.startReporting();
    logger.info("replication up: node {}, cluster {}, schema {}, change-stream {}, gossip {}", store.nodeId(),
        config.clusterName(), store.schema().version(), SocketAddresses.format(stream), membership.address());
  }

  /**
   * Loads node {@code nodeId}'s credentials as {@link #start} will, without starting anything: an
   * agent taking over checks them before the running one lets go.
   *
   * @throws IllegalArgumentException when they are missing or invalid (naming the file)
   */
  public static NodeCredentials checkCredentials(ReplicationConfig config, String nodeId) {
    if (config.tlsDir() == null) {
      throw new IllegalArgumentException("EDGEPROXY_REPLICATION_TLS_DIR is not set (expected: a directory made by"
          + " 'edgeproxy certs init'; the change-stream always uses mutual TLS)");
    }
    return NodeCredentials.load(config.tlsDir(), nodeId, config.clusterKey());
  }

  public String nodeId() {
    return store.nodeId();
  }

  /** Queues a look for local changes on the database thread, unless one is queued already. Any thread. */
  private void captureSoon() {
    if (captureQueued.compareAndSet(false, true)) {
      try {
        dbThread.execute(() -> {
          captureQueued.set(false);
          node.localCommit();
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closing
      }
    }
  }

  /**
   * Versions local changes and ships them at once (instead of at the next look); the receipt of
   * this POP's newest transaction, or null when it has made none.
   */
  public @Nullable Receipt flushLocalChanges() {
    return runOnDb(node::flush);
  }

  /** Which known POPs have applied {@code receipt}. */
  public ReceiptStatus receipt(Receipt receipt) {
    return runOnDb(() -> node.receipt(receipt));
  }

  // ---- status

  public ReplicationStatus status() {
    NodeView view = runOnDb(node::view);
    Membership m = membership;
    ChangeStreamServer srv = server;
    List<ReplicationStatus.Peer> peers = new ArrayList<>();
    for (NodeView.PeerView p : view.peers()) {
      peers.add(new ReplicationStatus.Peer(p.nodeId(), p.region(), p.address(), p.connected(),
          p.lastSyncMs() == 0 ? null : Instant.ofEpochMilli(p.lastSyncMs()), p.changesBehind(), p.millisBehind(),
          p.schemaVersion(), p.protocol(), p.clockOffsetMs(), p.rttMs(), p.skewed(), p.mustRejoin()));
    }
    long versions = runOnDb(() -> store.stats().rows());
    return new ReplicationStatus(store.nodeId(), config.clusterName(), m == null ? "" : m.address(),
        srv == null ? "" : SocketAddresses.format(srv.address()), versions, peers, counters.applied(), counters.stale(),
        counters.rejected() + (m == null ? 0 : m.rejectedMessages()), counters.pushed(), view.schemaVersion(), view.rejoin(),
        view.lastRejoin(), view.storageError(), view.heldChanges(),
        view.lastSyncMs() == 0 ? null : Instant.ofEpochMilli(view.lastSyncMs()));
  }

  /** Running totals (for metrics). */
  public ReplicaCounters counters() {
    return counters;
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

  /**
   * The node ids of the members in {@code region} now (this POP among them when it is there): who
   * the edge cache's regional shield is chosen among.
   */
  public java.util.List<String> membersIn(String region) {
    java.util.List<String> out = new java.util.ArrayList<>();
    if (region.equals(this.region)) {
      out.add(store.nodeId());
    }
    Membership m = membership;
    if (m != null) {
      for (PeerAddress p : m.peers()) {
        if (p.region().equals(region)) {
          out.add(p.nodeId());
        }
      }
    }
    return out;
  }

  /** The node ids of the other members that are up now (alive or suspected, not yet removed). */
  public java.util.Set<String> membersUp() {
    java.util.Set<String> out = new java.util.TreeSet<>();
    Membership m = membership;
    if (m != null) {
      for (PeerAddress p : m.peers()) {
        out.add(p.nodeId());
      }
    }
    return out;
  }

  /** The host other POPs reach this one at (EDGEPROXY_REPLICATION_ADVERTISE_HOST, or derived from the listen address). */
  public String advertiseHost() {
    return Addresses.advertiseHost(config);
  }

  /**
   * Every other POP this one knows, up or not: the ones routing.db remembers and the ones membership
   * listed since start. Limits shared among POPs count them all, so a partition does not shrink
   * the cluster each side believes in.
   */
  public java.util.Set<String> knownPops() {
    java.util.Set<String> out = new java.util.TreeSet<>(knownPops);
    out.remove(store.nodeId());
    return out;
  }

  /** Sends this POP's load report to every other POP that is up (see {@code LimitReport}). */
  public void broadcastLoad(String report) {
    Membership m = membership;
    if (m != null) {
      m.broadcastLoad(report);
    }
  }

  /** Load reports from other POPs go to {@code sink}, on a membership thread. */
  public void onLoadReports(java.util.function.Consumer<String> sink) {
    loadReports = requireNonNull(sink, "sink");
  }

  /** Streams other POPs open (to relay client connections to device tunnels held here, to ask this POP's shield) go to {@code acceptor}. */
  public void acceptRelays(RelayAcceptor acceptor) {
    relayAcceptor = requireNonNull(acceptor, "acceptor");
  }

  /**
   * A new stream to POP {@code nodeId} for relaying one client connection (mutual TLS, ALPN
   * {@code edgeproxy-relay/1}), set up by {@code init} before anything is read; fails when that POP
   * is not a member now or cannot be reached.
   */
  public Future<Channel> openRelay(String nodeId,
      Consumer<Channel> init) {
    Membership m = membership;
    PeerAddress peer = m == null ? null : m.peers().stream().filter(p -> p.nodeId().equals(nodeId)).findFirst().orElse(null);
    if (peer == null) {
      return ImmediateEventExecutor.INSTANCE.newFailedFuture(
          new IllegalStateException("POP " + nodeId + " is not a member now"));
    }
    return relayLinks.open(peer, init);
  }

  @Override
  public void close() {
    closed = true;
    if (commitWatcher != null) {
      commitWatcher.close();
    }
    try {
      runOnDb(node::close);
    } catch (RuntimeException e) {
      logger.debug("closing replication: {}", e.toString());
    }
    timer.shutdownNow();
    if (membership != null) {
      membership.close();
    }
    if (server != null) {
      server.close();
    }
    relayLinks.close();
    connector.shutdownNow();
    dbThread.shutdown();
    try {
      dbThread.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    snapshots.close();
    io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Stream events, on the database thread, to the node. */
  private final class Events implements StreamEvents {
    private @Nullable ReplicaNode node;

    @Override
    public void onInboundStream(ReplicaRuntime.Stream stream) {
      if (node != null && !closed) {
        node.onInboundStream(stream);
      }
    }

    @Override
    public void onMessage(ReplicaRuntime.Stream stream, Envelope envelope) {
      if (node != null && !closed) {
        node.onMessage(stream, envelope);
      }
    }

    @Override
    public void onClosed(ReplicaRuntime.Stream stream) {
      if (node != null) {
        node.onClosed(stream);
      }
    }

    @Override
    public void refused(String peer, String reason) {
      counters.rejectedElsewhere();
      warnings.warn("refused:" + peer + ":" + reason, "change-stream: refused " + peer + ": " + reason);
    }
  }

  /** Membership events, queued onto the database thread. */
  private final class MembershipEvents implements Membership.Listener {
    @Override
    public void peerUp(PeerAddress peer) {
      knownPops.add(peer.nodeId());
      execute(() -> node.peerUp(peer));
    }

    @Override
    public void loadReport(String report) {
      loadReports.accept(report);
    }

    @Override
    public void peerDown(String nodeId) {
      execute(() -> node.peerDown(nodeId));
    }

    private void execute(Runnable task) {
      try {
        dbThread.execute(task);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closing
      }
    }
  }

  /** Rows replication changed reach the routing snapshot (spaced during bulk transfers). */
  private final class SnapshotListener implements ReplicaNode.Listener {
    @Override
    public void changed(Collection<RowKey> rows) {
      snapshots.changed(rows);
    }

    @Override
    public void replaced(io.edgeproxy.replication.protocol.RejoinReport report, List<ReplicaStore.LostChange> dropped) {
      snapshots.reloadAll();
    }
  }
}
