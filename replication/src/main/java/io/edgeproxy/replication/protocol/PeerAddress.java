package io.edgeproxy.replication.protocol;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;

/** Another POP as membership describes it: its node id, region and change-stream address. */
public record PeerAddress(String nodeId, String region, InetSocketAddress streamAddress) {
  public PeerAddress {
    requireNonNull(nodeId, "nodeId");
    requireNonNull(region, "region");
    requireNonNull(streamAddress, "streamAddress");
  }
}
