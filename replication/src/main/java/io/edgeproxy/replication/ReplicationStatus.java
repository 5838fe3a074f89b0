package io.edgeproxy.replication;

import io.edgeproxy.replication.protocol.RejoinReport;
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
 * @param versions rows with versions held (tombstones included)
 * @param peers every other member seen, and how far behind it this node is
 * @param appliedTotal remote changes applied since start
 * @param staleTotal remote changes ignored as not newer (duplicates, older writes)
 * @param rejectedTotal messages or changes refused (wrong cluster, key, certificate, malformed)
 * @param pushedTotal local changes shipped
 * @param schemaVersion this POP's routing.db schema version
 * @param rejoin why this POP is rejoining from a peer's copy right now, or null
 * @param lastRejoin what the last rejoin did (its report lists dropped local changes), or null
 * @param storageError the routing.db failure replication is living with right now (disk full), or null
 * @param heldChanges changes from peers whose clocks run ahead, held until this clock reaches them
 * @param lastSync when this POP last completed anti-entropy with any peer, or null
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
    long pushedTotal,
    int schemaVersion,
    @Nullable String rejoin,
    @Nullable RejoinReport lastRejoin,
    @Nullable String storageError,
    long heldChanges,
    @Nullable Instant lastSync) {

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
   * @param schemaVersion its routing.db schema version (0 before its first Hello)
   * @param protocol the replication protocol versions it speaks ("2", "2-3")
   * @param clockOffsetMs its clock minus ours, measured NTP-style, or null before a measurement
   * @param rttMs the round trip of that measurement, or null
   * @param skewed its clock is further off than the skew bound
   * @param mustRejoin "self" when this POP must rejoin because of it, "peer" when it must, or null
   */
  public record Peer(String nodeId, String region, String streamAddress, boolean connected, @Nullable Instant lastSync,
      long changesBehind, long millisBehind, int schemaVersion, String protocol, @Nullable Long clockOffsetMs,
      @Nullable Long rttMs, boolean skewed, @Nullable String mustRejoin) {}
}
