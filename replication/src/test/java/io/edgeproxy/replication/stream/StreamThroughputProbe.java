package io.edgeproxy.replication.stream;

import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.change.Version;
import io.edgeproxy.replication.tls.ClusterPki;
import io.edgeproxy.replication.tls.NodeCredentials;
import io.edgeproxy.replication.wire.Hello;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** Not a test: how fast rows cross one change-stream connection (run by hand). */
public final class StreamThroughputProbe {
  public static void main(String[] args) throws Exception {
    var dir = Files.createTempDirectory("probe");
    ClusterPki.init(dir, "c", List.of("a", "b"));
    var group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    var db = Executors.newSingleThreadExecutor();
    AtomicLong received = new AtomicLong();
    class Sink implements ReplicaEndpoint {
      final String node;
      Sink(String node) { this.node = node; }
      public Hello hello() { return Hello.newBuilder().setCluster("c").setNodeId(node).build(); }
      public void peerHello(String peer, Hello hello) {}
      public Executor executor() { return db; }
      public long[] settledDigest(long h) { return new long[ChangeStreamHandler.BUCKETS]; }
      public long settledHlc() { return 0; }
      public void rowsIn(BitSet b, int n, Consumer<RowChange> s) {}
      public void versionsIn(BitSet b, int n, Consumer<io.edgeproxy.sql.ReplicaStore.RowVersion> s) {}
      public boolean bootstrapping() { return false; }
      public void apply(String from, List<RowChange> rows) { received.addAndGet(rows.size()); }
      public void rejected(String peer, String reason) { System.out.println("rejected " + reason); }
    }
    var server = ChangeStreamServer.bind(group, new InetSocketAddress("127.0.0.1", 0), NodeCredentials.load(dir, "b", null), new Sink("b"));
    var link = PeerLink.connect(group, "b", server.address(), NodeCredentials.load(dir, "a", null), new Sink("a"));
    List<RowChange> rows = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      Map<String, Object> cols = new LinkedHashMap<>();
      cols.put("app", "bench"); cols.put("region", "eu"); cols.put("wg_ip", "10.0.0.3"); cols.put("port", 1000L + i);
      cols.put("healthy", 1L); cols.put("weight", 2L); cols.put("soft_limit", 100L); cols.put("hard_limit", 150L); cols.put("deleted", 0L);
      rows.add(new RowChange("backends", "boot-" + i, new Version(i + 1, "a"), cols, false));
    }
    long start = System.nanoTime();
    link.push(rows);
    while (received.get() < rows.size()) {
      Thread.sleep(5);
    }
    System.out.printf("100k rows over one stream: %d ms%n", (System.nanoTime() - start) / 1_000_000);
    link.close();
    server.close();
    group.shutdownGracefully();
    db.shutdown();
  }
}
