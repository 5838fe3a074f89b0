package io.edgeproxy.replication;

import io.edgeproxy.core.config.ReplicationConfig;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.Optional;

/** Finding an address other POPs can reach when none is configured. */
final class Addresses {
  private Addresses() {}

  /**
   * The host other POPs reach this one at: the configured advertise address, else the
   * change-stream's or the gossip's bind address when it is a specific one (both are reached at
   * this host), else the first address of an interface that is up, else loopback.
   */
  static String advertiseHost(ReplicationConfig config) {
    if (config.advertiseHost() != null) {
      return config.advertiseHost();
    }
    for (InetAddress bind : new InetAddress[] {config.transportAddress().getAddress(), config.gossipAddress().getAddress()}) {
      if (bind != null && !bind.isAnyLocalAddress()) {
        return bind.getHostAddress();
      }
    }
    return firstNonLoopback().orElse("127.0.0.1");
  }

  /** The first IPv4 address of an interface that is up and not loopback. */
  static Optional<String> firstNonLoopback() {
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
            return Optional.of(address.getHostAddress());
          }
        }
      }
    } catch (SocketException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
