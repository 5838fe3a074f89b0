package io.edgeproxy.replication.protocol;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Replication as one POP sees it, for status, metrics and the CLI. A value.
 *
 * @param rejoin why this POP is rejoining from a copy right now, or null
 * @param lastRejoin what the last rejoin did, or null
 * @param storageError the last routing.db failure (disk full...) while it lasts, or null
 * @param heldChanges changes held until this POP's clock reaches them
 * @param lastSyncMs when this POP last completed anti-entropy (0: never)
 */
public record NodeView(String nodeId, int schemaVersion, @Nullable String rejoin, @Nullable RejoinReport lastRejoin,
    @Nullable String storageError, long heldChanges, long lastSyncMs, List<PeerView> peers) {
  public NodeView {
    peers = List.copyOf(peers);
  }

  /**
   * One peer.
   *
   * @param connected a change-stream connection to it is up
   * @param protocol the protocol versions its Hello named ("2", "2-3"), or "" before one
   * @param lastSyncMs when anti-entropy with it last finished (0: never)
   * @param changesBehind rows the last session with it had to bring here
   * @param millisBehind its newest transaction minus the newest of its this POP holds, in ms
   * @param clockOffsetMs its clock minus ours (NTP-style), or null before a measurement
   * @param rttMs the round trip of that measurement
   * @param skewed its offset is beyond the skew bound
   * @param mustRejoin "self" when this POP must rejoin because of it, "peer" when it must, or null
   */
  public record PeerView(String nodeId, String region, String address, boolean connected, int schemaVersion, String protocol,
      long lastSyncMs, long changesBehind, long millisBehind, @Nullable Long clockOffsetMs, @Nullable Long rttMs,
      boolean skewed, @Nullable String mustRejoin) {}
}
