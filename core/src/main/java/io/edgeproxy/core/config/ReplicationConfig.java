package io.edgeproxy.core.config;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Replication between POPs; absent from {@link EdgeConfig} when EDGEPROXY_REPLICATION_ENABLED is off.
 *
 * @param nodeId this node's id, or null for the one remembered in routing.db (or a new one). Default: null
 * @param gossipAddress SWIM membership listen address (TCP; that host only, 0.0.0.0 for every interface). Default: 0.0.0.0:4001
 * @param transportAddress change-stream listen address (QUIC over UDP). Default: 0.0.0.0:4002
 * @param advertiseHost what other POPs connect to, or null to derive it from the listen host. Default: null
 * @param bootstrapPeers gossip addresses (host:port, names allowed) to join through. Default: none
 * @param clusterName nodes of another cluster are refused. Default: edgeproxy
 * @param clusterKey base64 gossip key, or null to read {@code cluster.key} from {@code tlsDir}. Default: null
 * @param tlsDir directory with ca.crt and this node's certificate and key. Default: none (required)
 * @param syncInterval anti-entropy period. Default: 2 s
 * @param gossipInterval SWIM gossip period; pings every 5, ping timeout 2.5 periods. Default: 200 ms
 * @param tombstoneTtl how long deletes are remembered; a POP cut off for longer rejoins from a copy. Default: 7 days
 * @param maxClockSkew clock offset tolerated between POPs; changes stamped further ahead are held. Default: 500 ms
 * @param wireGuard the WireGuard mesh this POP builds with the others, or null when EDGEPROXY_WG_ENABLED is off
 */
public record ReplicationConfig(
    @Nullable String nodeId,
    InetSocketAddress gossipAddress,
    InetSocketAddress transportAddress,
    @Nullable String advertiseHost,
    List<String> bootstrapPeers,
    String clusterName,
    @Nullable String clusterKey,
    @Nullable Path tlsDir,
    Duration syncInterval,
    Duration gossipInterval,
    Duration tombstoneTtl,
    Duration maxClockSkew,
    @Nullable WireGuardConfig wireGuard) {

  public ReplicationConfig {
    requireNonNull(gossipAddress, "gossipAddress");
    requireNonNull(transportAddress, "transportAddress");
    bootstrapPeers = List.copyOf(bootstrapPeers);
    requireNonNull(clusterName, "clusterName");
    requireNonNull(syncInterval, "syncInterval");
    requireNonNull(gossipInterval, "gossipInterval");
    requireNonNull(tombstoneTtl, "tombstoneTtl");
    requireNonNull(maxClockSkew, "maxClockSkew");
  }

  /** Without a WireGuard mesh. */
  public ReplicationConfig(@Nullable String nodeId, InetSocketAddress gossipAddress, InetSocketAddress transportAddress,
      @Nullable String advertiseHost, List<String> bootstrapPeers, String clusterName, @Nullable String clusterKey,
      @Nullable Path tlsDir, Duration syncInterval, Duration gossipInterval, Duration tombstoneTtl, Duration maxClockSkew) {
    this(nodeId, gossipAddress, transportAddress, advertiseHost, bootstrapPeers, clusterName, clusterKey, tlsDir, syncInterval,
        gossipInterval, tombstoneTtl, maxClockSkew, null);
  }

  /** For tests: loopback, port 0 for both listeners, fast anti-entropy. */
  public static ReplicationConfig forTest(String nodeId, Path tlsDir, List<String> bootstrapPeers) {
    return new ReplicationConfig(nodeId, new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0),
        "127.0.0.1", bootstrapPeers, "test-cluster", null, tlsDir, Duration.ofMillis(300), Duration.ofMillis(50), Duration.ofDays(7),
        Duration.ofMillis(500));
  }

  public ReplicationConfig withBootstrapPeers(List<String> value) {
    return new ReplicationConfig(nodeId, gossipAddress, transportAddress, advertiseHost, value, clusterName, clusterKey,
        tlsDir, syncInterval, gossipInterval, tombstoneTtl, maxClockSkew, wireGuard);
  }

  public ReplicationConfig withClusterName(String value) {
    return new ReplicationConfig(nodeId, gossipAddress, transportAddress, advertiseHost, bootstrapPeers, value, clusterKey,
        tlsDir, syncInterval, gossipInterval, tombstoneTtl, maxClockSkew, wireGuard);
  }

  public ReplicationConfig withClusterKey(@Nullable String value) {
    return new ReplicationConfig(nodeId, gossipAddress, transportAddress, advertiseHost, bootstrapPeers, clusterName, value,
        tlsDir, syncInterval, gossipInterval, tombstoneTtl, maxClockSkew, wireGuard);
  }

  public ReplicationConfig withAddresses(InetSocketAddress gossip, InetSocketAddress transport) {
    return new ReplicationConfig(nodeId, gossip, transport, advertiseHost, bootstrapPeers, clusterName, clusterKey,
        tlsDir, syncInterval, gossipInterval, tombstoneTtl, maxClockSkew, wireGuard);
  }

  public ReplicationConfig withTombstoneTtl(Duration value) {
    return new ReplicationConfig(nodeId, gossipAddress, transportAddress, advertiseHost, bootstrapPeers, clusterName, clusterKey,
        tlsDir, syncInterval, gossipInterval, value, maxClockSkew, wireGuard);
  }

  public ReplicationConfig withMaxClockSkew(Duration value) {
    return new ReplicationConfig(nodeId, gossipAddress, transportAddress, advertiseHost, bootstrapPeers, clusterName, clusterKey,
        tlsDir, syncInterval, gossipInterval, tombstoneTtl, value, wireGuard);
  }

  public ReplicationConfig withSyncInterval(Duration value) {
    return new ReplicationConfig(nodeId, gossipAddress, transportAddress, advertiseHost, bootstrapPeers, clusterName, clusterKey,
        tlsDir, value, gossipInterval, tombstoneTtl, maxClockSkew, wireGuard);
  }

  public ReplicationConfig withWireGuard(@Nullable WireGuardConfig value) {
    return new ReplicationConfig(nodeId, gossipAddress, transportAddress, advertiseHost, bootstrapPeers, clusterName, clusterKey,
        tlsDir, syncInterval, gossipInterval, tombstoneTtl, maxClockSkew, value);
  }

  @Override
  public String toString() {
    return "ReplicationConfig[nodeId=" + nodeId + ", gossip=" + gossipAddress + ", transport=" + transportAddress
        + ", advertise=" + advertiseHost + ", peers=" + bootstrapPeers + ", cluster=" + clusterName
        + ", clusterKey=" + (clusterKey == null ? "(from tls dir)" : "(set, redacted)") + ", tlsDir=" + tlsDir
        + ", sync=" + syncInterval + ", gossip=" + gossipInterval + ", tombstoneTtl=" + tombstoneTtl
        + ", maxClockSkew=" + maxClockSkew + ", wireGuard=" + wireGuard + "]";
  }
}
