package io.edgeproxy.replication;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What replication looks like from this POP, for the CLI, the API and metrics.
 *
 * @param nodeId this node
 * @param clusterName the cluster it belongs to
 * @param gossipAddress where its membership listens (host:port)
 * @param streamAddress where its change-stream listens (host:port)
 * @param versions row versions held (tombstones included)
 * @param peers every other member that is up, and how far behind it this node is
 * @param appliedTotal remote changes applied since start
 * @param staleTotal remote changes ignored as not newer (duplicates, older writes)
 * @param rejectedTotal messages or changes refused (wrong cluster, key, certificate, malformed)
 * @param pushedTotal local changes shipped
 */
public record ReplicationStatus(
    String nodeId,
    String clusterName,
    String gossipAddress,
    String streamAddress,
    long versions,
    List<Peer> peers,
    long appliedTotal,
    long staleTotal,
    long rejectedTotal,
    long pushedTotal) {

  public ReplicationStatus {
    peers = List.copyOf(peers);
  }

  /**
   * One peer.
   *
   * @param connected a change-stream connection to it is up
   * @param lastSync when an anti-entropy session with it last finished, or null
   * @param changesBehind rows the last session with it had to bring here (0: nothing was missing)
   * @param millisBehind its newest own change minus the newest of its changes held here, in ms
   */
  public record Peer(String nodeId, String region, String streamAddress, boolean connected, @Nullable Instant lastSync,
      long changesBehind, long millisBehind) {}
}
