package io.edgeproxy.replication.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.edgeproxy.core.change.Cell;
import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.change.Version;
import io.edgeproxy.core.config.ReplicationConfig;
import io.edgeproxy.core.routing.LoadBoard;
import io.edgeproxy.core.routing.RoutingState;
import io.edgeproxy.replication.Replicator;
import io.edgeproxy.replication.protocol.WireRows;
import io.edgeproxy.replication.tls.ClusterPki;
import io.edgeproxy.replication.wire.ChangeSet;
import io.edgeproxy.replication.wire.Envelope;
import io.edgeproxy.replication.wire.Hello;
import io.edgeproxy.replication.wire.Row;
import io.edgeproxy.replication.wire.SyncRequest;
import io.edgeproxy.replication.wire.Value;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.sql.RoutingReloader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The change-stream on real QUIC sockets with mutual TLS: two replicas replicate, and a peer that
 * speaks another version, lies about who it is, or sends garbage is refused with a reason, counted,
 * and does not stop replication.
 */
@Timeout(120)
class ChangeStreamIT {
  @TempDir Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();
  private Path tls;
  private Replicator a;
  private RoutingDb dbA;
  private RoutingDb dbB;

  @BeforeEach
  void start() {
    tls = dir.resolve("tls");
    ClusterPki.init(tls, "test-cluster", List.of("pop-a", "pop-b", "pop-x"));
    dbA = RoutingDb.open(dir.resolve("a.db"));
    dbB = RoutingDb.open(dir.resolve("b.db"));
    a = replicator("pop-a", dbA, List.of());
    replicator("pop-b", dbB, List.of(a.status().gossipAddress()));
    await().atMost(Duration.ofSeconds(20)).until(() -> a.status().peers().stream().anyMatch(p -> p.connected()));
  }

  private Replicator replicator(String node, RoutingDb db, List<String> seeds) {
    RoutingReloader reloader = new RoutingReloader(db, new RoutingState("sa", new LoadBoard()));
    reloader.reloadNow();
    Replicator r = Replicator.start(ReplicationConfig.forTest(node, tls, seeds), "sa", db, reloader, Duration.ofDays(30));
    open.add(db);
    open.add(reloader);
    open.add(r);
    return r;
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private InetSocketAddress streamOfA() {
    String address = a.status().streamAddress();
    return new InetSocketAddress("127.0.0.1", Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
  }

  private static Hello.Builder hello(String node) {
    return Hello.newBuilder().setCluster("test-cluster").setNodeId(node).setRegion("sa").setMinProtocol(2).setMaxProtocol(2);
  }

  @Test
  void gossipListensOnlyOnTheConfiguredHost() throws Exception {
    String gossip = a.status().gossipAddress();
    assertThat(gossip).startsWith("127.0.0.1:");
    int port = Integer.parseInt(gossip.substring(gossip.lastIndexOf(':') + 1));
    try (java.net.Socket ok = new java.net.Socket()) {
      ok.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
    }
    // 127.0.0.2 is this machine too: a listener on every interface would take the connection.
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
      try (java.net.Socket other = new java.net.Socket()) {
        other.connect(new InetSocketAddress("127.0.0.2", port), 2_000);
      }
    }).isInstanceOf(java.net.ConnectException.class);
  }

  @Test
  void aRowWrittenOnOnePopArrivesOnTheOther() {
    dbA.write("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b1', 'web', 'sa', '10.0.0.1', 80)");
    await().atMost(Duration.ofSeconds(10)).until(() -> dbB.load(io.edgeproxy.sql.LeaseRule.defaults(), 0).data().backends()
        .stream().anyMatch(b -> b.id().equals("b1")));
  }

  @Test
  void aVersionOnePeerIsRefusedWithWhatToUpgrade() throws Exception {
    try (RawPeer peer = new RawPeer(tls, "pop-x", "pop-a", streamOfA())) {
      RawPeer.Stream stream = peer.open();
      stream.send(Envelope.newBuilder().setProtocol(1).setHello(Hello.newBuilder().setCluster("test-cluster")
          .setNodeId("pop-x").setRegion("sa")).build());
      Envelope answer = stream.next();
      assertThat(answer.hasRefused()).isTrue();
      assertThat(answer.getRefused().getReason())
          .isEqualTo("node 'pop-x' speaks replication protocol 1, this POP speaks 2 (expected: a version in common;"
              + " upgrade the older POP)");
    }
  }

  @Test
  void aHelloThatIsNotTheCertificatesNodeOrComesSecondIsRefused() throws Exception {
    try (RawPeer peer = new RawPeer(tls, "pop-x", "pop-a", streamOfA())) {
      RawPeer.Stream liar = peer.open();
      liar.send(Envelope.newBuilder().setProtocol(2).setHello(hello("pop-b")).build());
      assertThat(liar.next().getRefused().getReason()).contains("over a connection authenticated as 'pop-x'");
      RawPeer.Stream rude = peer.open();
      rude.send(Envelope.newBuilder().setProtocol(2).setSyncRequest(SyncRequest.getDefaultInstance()).build());
      assertThat(rude.next().getRefused().getReason()).isEqualTo("SYNC_REQUEST before Hello (expected: Hello first)");
    }
  }

  @Test
  void aChangeSetWithOneMalformedRowIsRefusedWholeSayingWhatWasWrong() throws Exception {
    ByteString good = WireRows.encode(new RowChange("backends", "pushed-good", 1, new Version(HybridClock.fromMillis(
        System.currentTimeMillis()), "pop-x"), java.util.Map.of("app", new Cell("web", new Version(1, "pop-x")))));
    Row bad = Row.newBuilder().setTable("backends").setKey("pushed-bad").setCl(1).setHlc(1).setNode("pop-x")
        .addCells(io.edgeproxy.replication.wire.Cell.newBuilder().setColumn("port").setValue(Value.getDefaultInstance())).build();
    try (RawPeer peer = new RawPeer(tls, "pop-x", "pop-a", streamOfA())) {
      RawPeer.Stream stream = peer.open();
      stream.send(Envelope.newBuilder().setProtocol(2).setHello(hello("pop-x")).build());
      assertThat(stream.next().hasHello()).isTrue();
      stream.send(Envelope.newBuilder().setProtocol(2).setChanges(ChangeSet.newBuilder().setPrevious(0).setTxn(1)
          .addRows(good).addRows(bad.toByteString())).build());
      assertThat(stream.next().getRefused().getReason())
          .isEqualTo("malformed change set: column port has a value of no known kind");
    }
    dbA.write("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('after-bad', 'web', 'sa', '10.0.0.1', 80)");
    await().atMost(Duration.ofSeconds(10)).until(() -> dbB.load(io.edgeproxy.sql.LeaseRule.defaults(), 0).data().backends()
        .stream().anyMatch(b -> b.id().equals("after-bad")));
    assertThat(dbA.load(io.edgeproxy.sql.LeaseRule.defaults(), 0).data().backends()).noneMatch(b -> b.id().startsWith("pushed-"));
  }

  @Test
  void garbageAndOversizedFramesAreRefusedCountedAndReplicationGoesOn() throws Exception {
    long before = a.status().rejectedTotal();
    try (RawPeer peer = new RawPeer(tls, "pop-x", "pop-a", streamOfA())) {
      RawPeer.Stream garbage = peer.open();
      garbage.sendRaw(new byte[] {0, 0, 0, 5, (byte) 0xff, (byte) 0xff, 1, 2, 3});
      RawPeer.Stream huge = peer.open();
      huge.sendRaw(ByteBuffer.allocate(4).putInt(Frames.MAX_FRAME + 1).array());
      await().atMost(Duration.ofSeconds(10)).until(() -> a.status().rejectedTotal() >= before + 2);
    }
    dbA.write("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('after', 'web', 'sa', '10.0.0.1', 80)");
    await().atMost(Duration.ofSeconds(10)).until(() -> dbB.load(io.edgeproxy.sql.LeaseRule.defaults(), 0).data().backends()
        .stream().anyMatch(b -> b.id().equals("after")));
  }
}
