package io.edgeproxy.core.config;

import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.geo.IpNetwork;
import java.net.InetAddress;
import java.util.List;

/**
 * The WireGuard mesh a POP builds with the others (EDGEPROXY_WG_*): its interface, its overlay
 * address and the backend networks it routes. Peers are never configured: they come from the
 * cluster.
 *
 * @param interfaceName the interface the agent creates and owns. Default: wg0
 * @param address this POP's overlay address (IPv4 or IPv6)
 * @param prefix the overlay's prefix length, as in {@code 10.50.0.1/16}
 * @param listenPort UDP port of the interface. Default: 51820
 * @param subnets backend networks behind this POP, routed to it by every other POP. Default: none
 * @param manageInterface true: the agent creates and keeps the interface; false: it only publishes this POP's
 *     announcement, and the operator runs the interface from {@code edgeproxy wireguard config}. Default: true
 */
public record WireGuardConfig(String interfaceName, InetAddress address, int prefix, int listenPort, List<IpNetwork> subnets,
    boolean manageInterface) {
  public WireGuardConfig {
    requireNonNull(interfaceName, "interfaceName");
    requireNonNull(address, "address");
    subnets = List.copyOf(subnets);
    if (listenPort < 1 || listenPort > 65535) {
      throw new IllegalArgumentException("listenPort: " + listenPort + " (expected: 1-65535)");
    }
    if (prefix < 0 || prefix > address.getAddress().length * 8) {
      throw new IllegalArgumentException("prefix: " + prefix);
    }
  }

  /** An interface the agent manages. */
  public WireGuardConfig(String interfaceName, InetAddress address, int prefix, int listenPort, List<IpNetwork> subnets) {
    this(interfaceName, address, prefix, listenPort, subnets, true);
  }

  /** {@code 10.50.0.1/16}: the address with its prefix, as {@code ip address add} takes it. */
  public String addressWithPrefix() {
    return address.getHostAddress() + "/" + prefix;
  }
}
