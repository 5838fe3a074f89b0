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
 * @param gossipAddress SWIM membership listen address (TCP; ScaleCube binds the port on every interface). Default: 0.0.0.0:4001
 * @param transportAddress change-stream listen address (QUIC over UDP). Default: 0.0.0.0:4002
 * @param advertiseHost what other POPs connect to, or null to derive it from the listen host. Default: null
 * @param bootstrapPeers gossip addresses (host:port, names allowed) to join through. Default: none
 * @param clusterName nodes of another cluster are refused. Default: edgeproxy
 * @param clusterKey base64 gossip key, or null to read {@code cluster.key} from {@code tlsDir}. Default: null
 * @param tlsDir directory with ca.crt and this node's certificate and key. Default: none (required)
 * @param syncInterval anti-entropy period. Default: 2 s
 * @param gossipInterval SWIM gossip period; pings every 5, ping timeout 2.5 periods. Default: 200 ms
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
    Duration gossipInterval) {

  public ReplicationConfig {
    requireNonNull(gossipAddress, "gossipAddress");
    requireNonNull(transportAddress, "transportAddress");
    bootstrapPeers = List.copyOf(bootstrapPeers);
    requireNonNull(clusterName, "clusterName");
    requireNonNull(syncInterval, "syncInterval");
    requireNonNull(gossipInterval, "gossipInterval");
  }

  /** For tests: loopback, port 0 for both listeners, fast anti-entropy. */
  public static ReplicationConfig forTest(String nodeId, Path tlsDir, List<String> bootstrapPeers) {
    return new ReplicationConfig(nodeId, new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0),
        "127.0.0.1", bootstrapPeers, "test-cluster", null, tlsDir, Duration.ofMillis(300), Duration.ofMillis(50));
  }

  public ReplicationConfig withBootstrapPeers(List<String> value) {
    return new ReplicationConfig(nodeId, gossipAddress, transportAddress, advertiseHost, value, clusterName, clusterKey,
        tlsDir, syncInterval, gossipInterval);
  }

  public ReplicationConfig withClusterName(String value) {
    return new ReplicationConfig(nodeId, gossipAddress, transportAddress, advertiseHost, bootstrapPeers, value, clusterKey,
        tlsDir, syncInterval, gossipInterval);
  }

  public ReplicationConfig withClusterKey(@Nullable String value) {
    return new ReplicationConfig(nodeId, gossipAddress, transportAddress, advertiseHost, bootstrapPeers, clusterName, value,
        tlsDir, syncInterval, gossipInterval);
  }

  public ReplicationConfig withAddresses(InetSocketAddress gossip, InetSocketAddress transport) {
    return new ReplicationConfig(nodeId, gossip, transport, advertiseHost, bootstrapPeers, clusterName, clusterKey,
        tlsDir, syncInterval, gossipInterval);
  }

  @Override
  public String toString() {
    return "ReplicationConfig[nodeId=" + nodeId + ", gossip=" + gossipAddress + ", transport=" + transportAddress
        + ", advertise=" + advertiseHost + ", peers=" + bootstrapPeers + ", cluster=" + clusterName
        + ", clusterKey=" + (clusterKey == null ? "(from tls dir)" : "(set, redacted)") + ", tlsDir=" + tlsDir
        + ", sync=" + syncInterval + ", gossip=" + gossipInterval + "]";
  }
}
