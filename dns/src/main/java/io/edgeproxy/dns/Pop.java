package io.edgeproxy.dns;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;

/**
 * An appliance node, as {@code pops.<zone>} lists it.
 *
 * @param nodeId the node's id (its replication node id, or this host's name without replication)
 * @param region the region it serves
 * @param address where it is reached
 */
public record Pop(String nodeId, String region, InetAddress address) {
  public Pop {
    requireNonNull(nodeId, "nodeId");
    requireNonNull(region, "region");
    requireNonNull(address, "address");
  }
}
