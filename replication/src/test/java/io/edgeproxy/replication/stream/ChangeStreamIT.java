package io.edgeproxy.replication.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.change.Version;
import io.edgeproxy.replication.tls.ClusterPki;
import io.edgeproxy.replication.tls.NodeCredentials;
import io.edgeproxy.replication.wire.Hello;
import io.edgeproxy.sql.ReplicaStore;
import io.edgeproxy.sql.RowHashes;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The QUIC change-stream between two endpoints on 127.0.0.1, with real mutual TLS. */
@Timeout(60)
class ChangeStreamIT {
  @TempDir Path dir;
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final List<ExecutorService> executors = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    group.shutdownGracefully().syncUninterruptibly();
    executors.forEach(ExecutorService::shutdownNow);
  }

  /**
   * An endpoint that records what it is told and keeps the rows it holds in memory (last writer
   * wins), with a digest and the bucket queries anti-entropy asks, on its own database thread.
   */
  private final class Recorder implements ReplicaEndpoint {
    final String node;
    final String cluster;
    final List<RowChange> applied = new CopyOnWriteArrayList<>();
    final List<String> rejections = new CopyOnWriteArrayList<>();
    final Map<String, RowChange> rows = new ConcurrentHashMap<>();
    final ExecutorService thread = Executors.newSingleThreadExecutor();
    volatile boolean pushing;
    volatile boolean bootstrapping;
    volatile boolean receivingLate;
    volatile int versionQueries;

    Recorder(String node, String cluster) {
      this.node = node;
      this.cluster = cluster;
      executors.add(thread);
    }

    Recorder holding(int count, String prefix) {
      for (int i = 0; i < count; i++) {
        RowChange change = new RowChange("backends", prefix + i, new Version(i + 1, node), Map.of("port", 80L + i), false);
        rows.put(change.key(), change);
      }
      return this;
    }

    @Override
    public Hello hello() {
      return Hello.newBuilder().setCluster(cluster).setNodeId(node).setRegion("sa").build();
    }

    @Override
    public void peerHello(String peer, Hello hello) {}

    @Override
    public Executor executor() {
      return thread;
    }

    @Override
    public long[] settledDigest(long settledHlc) {
      long[] digest = new long[ChangeStreamHandler.BUCKETS];
      rows.values().forEach(r -> digest[bucket(r)] += r.key().hashCode() * 31L + r.version().hlc());
      return digest;
    }

    @Override
    public long settledHlc() {
      return 0;
    }

    @Override
    public void rowsIn(BitSet buckets, int bucketCount, Consumer<RowChange> sink) {
      rows.values().stream().filter(r -> buckets.get(bucket(r))).forEach(sink);
    }

    @Override
    public void versionsIn(BitSet buckets, int bucketCount, Consumer<ReplicaStore.RowVersion> sink) {
      versionQueries++;
      rows.values().stream().filter(r -> buckets.get(bucket(r)))
          .forEach(r -> sink.accept(new ReplicaStore.RowVersion(r.table(), r.key(), r.version(), r.deleted())));
    }

    private static int bucket(RowChange r) {
      return RowHashes.bucketOf(r.table(), r.key(), ChangeStreamHandler.BUCKETS);
    }

    @Override
    public java.nio.file.@org.jspecify.annotations.Nullable Path snapshotFile() {
      return null; // an in-memory replica has no file: its rows are streamed (the real one is tested in ReplicationIT)
    }

    @Override
    public long importSnapshot(String fromNode, java.nio.file.Path file) {
      throw new AssertionError("importSnapshot called although snapshotFile() offered no file");
    }

    @Override
    public boolean bootstrapping() {
      return bootstrapping;
    }

    @Override
    public boolean pushingTo(String peer) {
      return pushing;
    }

    @Override
    public boolean receivingOlderThan(long settledHlc) {
      return receivingLate;
    }

    @Override
    public void apply(String fromNode, List<RowChange> changes, boolean pushed) {
      applied.addAll(changes);
      changes.forEach(c -> rows.merge(c.key(), c, (old, neu) -> neu.version().isNewerThan(old.version()) ? neu : old));
    }

    @Override
    public void rejected(String peer, String reason) {
      rejections.add(peer + ": " + reason);
    }
  }

  private static RowChange row(String key) {
    return new RowChange("backends", key, new Version(1, "a"), Map.of("port", 80L), false);
  }

  @Test
  void pushedChangesArriveOverMutualTls() {
    ClusterPki.init(dir, "c", List.of("a", "b"));
    Recorder server = new Recorder("b", "c");
    try (ChangeStreamServer listener = ChangeStreamServer.bind(group, new InetSocketAddress("127.0.0.1", 0),
            NodeCredentials.load(dir, "b", null), server);
        PeerLink link = PeerLink.connect(group, "b", listener.address(), NodeCredentials.load(dir, "a", null),
            new Recorder("a", "c"))) {
      link.push(List.of(row("k1"), row("k2")));
      await().atMost(Duration.ofSeconds(10)).until(() -> server.applied.size() == 2);
      assertThat(server.applied).extracting(RowChange::key).containsExactly("k1", "k2");
      assertThat(server.rejections).isEmpty();
    }
  }

  @Test
  void pushesStayInFlightUntilThePeerHasTakenThem() throws Exception {
    ClusterPki.init(dir, "c", List.of("a", "b"));
    Recorder server = new Recorder("b", "c");
    CountDownLatch release = new CountDownLatch(1);
    server.thread.execute(() -> {
      try {
        release.await(); // the peer's database thread is busy: it takes (and acknowledges) nothing yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    try (ChangeStreamServer listener = ChangeStreamServer.bind(group, new InetSocketAddress("127.0.0.1", 0),
            NodeCredentials.load(dir, "b", null), server);
        PeerLink link = PeerLink.connect(group, "b", listener.address(), NodeCredentials.load(dir, "a", null),
            new Recorder("a", "c"))) {
      assertThat(link.pushInFlight()).isFalse();
      link.push(List.of(row("k1"), row("k2")));
      Thread.sleep(300);
      assertThat(link.pushInFlight()).isTrue();
      release.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> !link.pushInFlight());
      assertThat(server.applied).extracting(RowChange::key).containsExactly("k1", "k2");
    }
  }

  @Test
  void anEmptyNodeGetsEveryRowWithoutTheVersionLists() throws Exception {
    ClusterPki.init(dir, "c", List.of("a", "b"));
    Recorder server = new Recorder("b", "c").holding(25_000, "k");
    server.pushing = true; // a bootstrap is never put off
    Recorder client = new Recorder("a", "c");
    try (ChangeStreamServer listener = ChangeStreamServer.bind(group, new InetSocketAddress("127.0.0.1", 0),
            NodeCredentials.load(dir, "b", null), server);
        PeerLink link = PeerLink.connect(group, "b", listener.address(), NodeCredentials.load(dir, "a", null), client)) {
      SyncResult result = link.sync(true).get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(result.rowsReceived()).isEqualTo(25_000);
      await().atMost(Duration.ofSeconds(10)).until(() -> client.rows.size() == 25_000);
      assertThat(client.rows).isEqualTo(server.rows);
      assertThat(server.versionQueries).isZero();
    }
  }

  @Test
  void aNodeMissingManyRowsAsksForThemInPiecesThatFitAFrame() throws Exception {
    ClusterPki.init(dir, "c", List.of("a", "b"));
    Recorder server = new Recorder("b", "c").holding(25_000, "k"); // 25,000 keys: three RowRequest pieces
    Recorder client = new Recorder("a", "c").holding(3, "own");
    try (ChangeStreamServer listener = ChangeStreamServer.bind(group, new InetSocketAddress("127.0.0.1", 0),
            NodeCredentials.load(dir, "b", null), server);
        PeerLink link = PeerLink.connect(group, "b", listener.address(), NodeCredentials.load(dir, "a", null), client)) {
      SyncResult result = link.sync(false).get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(result.rowsReceived()).isEqualTo(25_000);
      assertThat(result.rowsSent()).isEqualTo(3);
      await().atMost(Duration.ofSeconds(10)).until(() -> client.rows.size() == 25_003 && server.rows.size() == 25_003);
      assertThat(client.rows).isEqualTo(server.rows);
      assertThat(server.rejections).isEmpty();
    }
  }

  @Test
  void aPeerThatIsBootstrappingOrStillReceivingPushesAnswersThatNothingDiffers() throws Exception {
    ClusterPki.init(dir, "c", List.of("a", "b"));
    Recorder server = new Recorder("b", "c");
    Recorder client = new Recorder("a", "c").holding(5, "k");
    try (ChangeStreamServer listener = ChangeStreamServer.bind(group, new InetSocketAddress("127.0.0.1", 0),
            NodeCredentials.load(dir, "b", null), server);
        PeerLink link = PeerLink.connect(group, "b", listener.address(), NodeCredentials.load(dir, "a", null), client)) {
      for (Runnable busy : List.<Runnable>of(() -> server.pushing = true, () -> server.bootstrapping = true,
          () -> server.receivingLate = true)) {
        busy.run();
        SyncResult held = link.sync(false).get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(held.heldOff()).isTrue();
        assertThat(held.rowsSent()).isZero();
        assertThat(held.differingBuckets()).isZero();
        server.pushing = server.bootstrapping = server.receivingLate = false;
      }
      assertThat(server.rows).isEmpty();
      SyncResult synced = link.sync(false).get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(synced.heldOff()).isFalse();
      assertThat(synced.rowsSent()).isEqualTo(5);
      await().atMost(Duration.ofSeconds(10)).until(() -> server.rows.size() == 5);
    }
  }

  @Test
  void threeNodesConnectToEachOtherAtOnce() throws Exception {
    ClusterPki.init(dir, "c", List.of("n0", "n1", "n2"));
    List<ChangeStreamServer> servers = new java.util.ArrayList<>();
    List<Recorder> recorders = new java.util.ArrayList<>();
    List<EventLoopGroup> groups = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      EventLoopGroup g = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
      groups.add(g);
      Recorder r = new Recorder("n" + i, "c");
      recorders.add(r);
      servers.add(ChangeStreamServer.bind(g, new InetSocketAddress("127.0.0.1", 0), NodeCredentials.load(dir, "n" + i, null), r));
    }
    List<java.util.concurrent.Future<PeerLink>> links = new java.util.ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
          if (i == j) {
            continue;
          }
          int from = i;
          int to = j;
          links.add(pool.submit(() -> PeerLink.connect(groups.get(from), "n" + to, servers.get(to).address(),
              NodeCredentials.load(dir, "n" + from, null), recorders.get(from))));
        }
      }
      for (var f : links) {
        f.get(20, java.util.concurrent.TimeUnit.SECONDS).push(List.of(row("x")));
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> recorders.stream().mapToInt(r -> r.applied.size()).sum() == links.size());
    for (var f : links) {
      f.get().close();
    }
    servers.forEach(ChangeStreamServer::close);
    groups.forEach(g -> g.shutdownGracefully().syncUninterruptibly());
  }

  @Test
  void garbageAndOversizedFramesAreRejectedAndTheConnectionKeepsWorking() throws Exception {
    ClusterPki.init(dir, "c", List.of("a", "b"));
    Recorder server = new Recorder("b", "c");
    try (ChangeStreamServer listener = ChangeStreamServer.bind(group, new InetSocketAddress("127.0.0.1", 0),
            NodeCredentials.load(dir, "b", null), server);
        PeerLink link = PeerLink.connect(group, "b", listener.address(), NodeCredentials.load(dir, "a", null),
            new Recorder("a", "c"))) {
      byte[] garbage = new byte[64];
      new java.util.Random(7).nextBytes(garbage);
      garbage[0] = 0;
      garbage[1] = 0;
      garbage[2] = 0;
      garbage[3] = 60; // a well-formed length, then 60 bytes that are not a Protobuf Envelope
      link.sendRaw(garbage);
      link.sendRaw(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}); // a 2 GiB frame: refused, never buffered
      await().atMost(Duration.ofSeconds(10)).until(() -> server.rejections.size() >= 2);
      assertThat(server.rejections).allMatch(r -> r.startsWith("a: undecodable message"));
      link.push(List.of(row("still-works")));
      await().atMost(Duration.ofSeconds(10)).until(() -> server.applied.size() == 1);
    }
  }

  @Test
  void aNodeWithACertificateFromAnotherCaIsRefused() {
    ClusterPki.init(dir.resolve("ours"), "c", List.of("b"));
    ClusterPki.init(dir.resolve("theirs"), "c", List.of("a"));
    Recorder server = new Recorder("b", "c");
    try (ChangeStreamServer listener = ChangeStreamServer.bind(group, new InetSocketAddress("127.0.0.1", 0),
        NodeCredentials.load(dir.resolve("ours"), "b", null), server)) {
      assertThatThrownBy(() -> PeerLink.connect(group, "b", listener.address(),
          NodeCredentials.load(dir.resolve("theirs"), "a", null), new Recorder("a", "c")))
          .hasMessageContaining("cannot connect to b");
      assertThat(server.applied).isEmpty();
    }
  }

  @Test
  void aNodeOfAnotherClusterIsRefusedAtHello() {
    ClusterPki.init(dir, "c", List.of("a", "b"));
    Recorder server = new Recorder("b", "c");
    try (ChangeStreamServer listener = ChangeStreamServer.bind(group, new InetSocketAddress("127.0.0.1", 0),
            NodeCredentials.load(dir, "b", null), server);
        PeerLink link = PeerLink.connect(group, "b", listener.address(), NodeCredentials.load(dir, "a", null),
            new Recorder("a", "other"))) {
      link.push(List.of(row("k1")));
      await().atMost(Duration.ofSeconds(10)).until(() -> !server.rejections.isEmpty());
      assertThat(server.rejections.get(0)).isEqualTo("a: cluster 'other' (expected: 'c')");
      assertThat(server.applied).isEmpty();
    }
  }
}
