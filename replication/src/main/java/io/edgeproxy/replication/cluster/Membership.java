package io.edgeproxy.replication.cluster;

import io.edgeproxy.replication.protocol.PeerAddress;
import io.scalecube.cluster.Cluster;
import io.scalecube.cluster.ClusterImpl;
import io.scalecube.cluster.ClusterMessageHandler;
import io.scalecube.cluster.Member;
import io.scalecube.cluster.membership.MembershipEvent;
import io.scalecube.cluster.transport.api.Message;
import io.scalecube.cluster.transport.api.MessageCodec;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SWIM membership through ScaleCube Cluster: which POPs are up, and where their change-streams
 * listen. Every message is sealed with the cluster key ({@link SealedMessageCodec}); the cluster
 * name is also ScaleCube's namespace. Members publish their node id, region and change-stream
 * address as metadata.
 *
 * <p>ScaleCube 2.7.7 binds its TCP port on every interface and cannot be told otherwise; with
 * every message authenticated and encrypted, a stranger reaching the port can do no more than be
 * ignored (and counted).
 */
public final class Membership implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(Membership.class);

  /** Told about membership changes, on a ScaleCube thread; must not block. */
  public interface Listener {
    void peerUp(PeerAddress peer);

    void peerDown(String nodeId);

    /** Another POP's load report ({@link #broadcastLoad}), on a ScaleCube thread; must not block. */
    default void loadReport(String report) {}
  }

  /** The qualifier of load reports: a version that does not know it ignores the message. */
  static final String LOAD_QUALIFIER = "edgeproxy/load";

  /** Timing, per the SWIM paper's knobs. */
  public record Timing(Duration ping, Duration pingTimeout, Duration gossip, Duration sync, int suspicionMult) {
    /**
     * Everything derived from the gossip period: 200 ms gives ScaleCube's LAN profile (pings every
     * 1 s), with a membership sync every 2 s (not ScaleCube's 30 s): after a partition heals, the
     * two sides find each other within seconds.
     */
    public static Timing fromGossipInterval(Duration gossip) {
      long ms = gossip.toMillis(); // not multipliedBy: BigDecimal, slow to load at start
      return new Timing(Duration.ofMillis(5 * ms), Duration.ofMillis(5 * ms / 2), gossip, Duration.ofMillis(10 * ms), 3);
    }
  }

  /**
   * Where this node is and what it offers.
   *
   * @param gossipListen where membership listens: that host only (0.0.0.0 or :: for every interface)
   * @param schemaVersion its routing.db schema version, told to the others (rolling upgrades)
   * @param protocols the replication protocol versions it speaks, as "min-max"
   */
  public record Self(String nodeId, String region, String advertiseHost, InetSocketAddress gossipListen,
      InetSocketAddress streamAddress, int schemaVersion, String protocols) {}

  private final Cluster cluster;
  private final SealedMessageCodec codec;

  private Membership(Cluster cluster, SealedMessageCodec codec) {
    this.cluster = cluster;
    this.codec = codec;
  }

  /**
   * Starts membership and joins through {@code seeds} (host:port, names allowed). Blocks until the
   * local member is up; joining continues in the background if no seed answers.
   */
  public static Membership start(Self self, String clusterName, byte[] clusterKey, List<String> seeds, Timing timing,
      Listener listener) {
    SealedMessageCodec codec = new SealedMessageCodec(MessageCodec.INSTANCE, clusterKey, clusterName);
    Map<String, String> metadata = Map.of(
        "node", self.nodeId(),
        "region", self.region(),
        "stream", self.advertiseHost() + ":" + self.streamAddress().getPort(),
        "schema", Integer.toString(self.schemaVersion()),
        "protocols", self.protocols());
    Cluster cluster = new ClusterImpl()
        .config(c -> c.memberAlias(self.nodeId()).externalHost(self.advertiseHost()).metadata(metadata))
        .membership(m -> m.seedMembers(seeds).namespace(clusterName)
            .syncInterval((int) timing.sync().toMillis()).suspicionMult(timing.suspicionMult()))
        .failureDetector(f -> f.pingInterval((int) timing.ping().toMillis()).pingTimeout((int) timing.pingTimeout().toMillis()))
        .gossip(g -> g.gossipInterval(timing.gossip().toMillis()))
        .transport(t -> t.port(self.gossipListen().getPort()).messageCodec(codec))
        .transportFactory(() -> new BoundTcpTransport(self.gossipListen().getHostString()))
        .handler(c -> new ClusterMessageHandler() {
          @Override
          public void onGossip(Message message) {
            try {
              if (LOAD_QUALIFIER.equals(message.qualifier()) && message.data() instanceof String report) {
                listener.loadReport(report);
              }
            } catch (Throwable e) { // ScaleCube would cancel this handler's subscription: no gossip after it
              logger.warn("gossip message {} not handled: {}", message.qualifier(), e.toString());
            }
          }

          @Override
          public void onMembershipEvent(MembershipEvent event) {
            PeerAddress peer = peerOf(c, event.member()).orElse(null);
            if (event.isAdded() && peer != null) {
              logger.info("member up: {} (region {}, change-stream {})", peer.nodeId(), peer.region(), peer.streamAddress());
              listener.peerUp(peer);
            } else if (event.isRemoved() || event.isLeaving()) {
              String node = peer != null ? peer.nodeId() : event.member().alias();
              logger.info("member {}: {}", event.isLeaving() ? "leaving" : "down", node);
              listener.peerDown(node);
            }
          }
        })
        .startAwait();
    logger.info("membership up: node {} at {} (cluster {}, seeds {})", self.nodeId(), cluster.address(), clusterName, seeds);
    return new Membership(cluster, codec);
  }

  private static Optional<PeerAddress> peerOf(Cluster cluster, Member member) {
    Optional<Map<String, String>> metadata = cluster.metadata(member);
    return metadata.flatMap(Membership::parse);
  }

  static Optional<PeerAddress> parse(Map<String, String> metadata) {
    String node = metadata.get("node");
    String region = metadata.get("region");
    String stream = metadata.get("stream");
    if (node == null || region == null || stream == null || stream.lastIndexOf(':') <= 0) {
      return Optional.empty();
    }
    int colon = stream.lastIndexOf(':');
    try {
      return Optional.of(new PeerAddress(node, region,
          new InetSocketAddress(stream.substring(0, colon), Integer.parseInt(stream.substring(colon + 1)))));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The other members that are up, with their metadata. */
  public List<PeerAddress> peers() {
    List<PeerAddress> out = new ArrayList<>();
    for (Member member : cluster.otherMembers()) {
      peerOf(cluster, member).ifPresent(out::add);
    }
    return out;
  }

  /**
   * Spreads {@code report} to every other member by gossip (sealed like all of it; through other
   * members when the direct link is down). A member it misses hears the next one.
   */
  public void broadcastLoad(String report) {
    cluster.spreadGossip(Message.builder().qualifier(LOAD_QUALIFIER).data(report).build())
        .subscribe(null, e -> logger.debug("load report not spread: {}", e.toString()));
  }

  /** host:port of this member's gossip transport. */
  public String address() {
    return cluster.address();
  }

  /** Gossip messages dropped for failing authentication (wrong key or cluster). */
  public long rejectedMessages() {
    return codec.rejectedTotal();
  }

  @Override
  public void close() {
    cluster.shutdown();
    cluster.onShutdown().block(Duration.ofSeconds(10));
  }

}
