package io.edgeproxy.replication.protocol;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What a replica's protocol is told at start.
 *
 * @param cluster cluster name: peers of another are refused
 * @param region this POP's region (told to peers)
 * @param syncInterval time between anti-entropy rounds (and heartbeats on push streams)
 * @param tombstoneTtl how long tombstones are kept; a POP cut off for longer rejoins from a copy
 * @param maxSkew clock offset tolerated between POPs; changes stamped further ahead are held
 * @param leaseForgetAfter a registration whose lease ended this long ago is forgotten
 * @param dataDir where rejoin reports are written (next to routing.db)
 */
public record NodeSettings(String cluster, String region, Duration syncInterval, Duration tombstoneTtl, Duration maxSkew,
    Duration leaseForgetAfter, Path dataDir) {
  public NodeSettings {
    requireNonNull(cluster, "cluster");
    requireNonNull(region, "region");
    requireNonNull(syncInterval, "syncInterval");
    requireNonNull(tombstoneTtl, "tombstoneTtl");
    requireNonNull(maxSkew, "maxSkew");
    requireNonNull(leaseForgetAfter, "leaseForgetAfter");
    requireNonNull(dataDir, "dataDir");
  }

  /** How often tombstones are compacted: no tombstone outlives the TTL by more than half of it (at most a minute). */
  public Duration compactEvery() {
    Duration half = Duration.ofMillis(tombstoneTtl.toMillis() / 2); // not dividedBy: BigDecimal, slow to load at start
    return half.compareTo(Duration.ofMinutes(1)) < 0 ? half : Duration.ofMinutes(1);
  }
}
